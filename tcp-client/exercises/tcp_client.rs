//! Exercise `tcp-client`: port the lecture's TCP client
//! (`docs/python/tcp_client.py`) to Rust yourself, line by line. Each
//! Python line is below as a comment: write its Rust under it, then
//! replace the `todo!()`.
//!
//! Check it: `cargo lab check tcp-client` (it builds this file, runs it on
//! loopback and says what to fix).
//! The page: docs/en/exercises/tcp-client.md.
//! Std only, as the lecture listings: `std::net` has what you need.

fn main() {
    // from socket import *
    // import sys
    // serverName = sys.argv[1] if len(sys.argv) > 1 else 'localhost'
    // serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    // # TCP 소켓 생성
    // # SOCK_STREAM : TCP 소켓
    // clientSocket = socket(AF_INET, SOCK_STREAM)
    // # 서버에 연결 - 3-way handshake
    // clientSocket.connect((serverName, serverPort))
    // # 사용자로부터 메시지 입력
    // sentence = input('Input lowercase sentence:')
    // # 메시지를 서버로 전송
    // clientSocket.send(sentence.encode())
    // # 서버로부터 응답 메시지 수신
    // modifiedSentence = clientSocket.recv(1024)
    // print('From Server: ', modifiedSentence.decode())
    // # 소켓 닫기
    // clientSocket.close()
    todo!("write the Rust of the Python lines above");
}
