//! Exercise `tcp-server`: port the lecture's TCP server
//! (`docs/python/tcp_server.py`) to Rust yourself, line by line. Each
//! Python line is below as a comment: write its Rust under it, then
//! replace the `todo!()`.
//!
//! Check it: `cargo lab check tcp-server` (it builds this file, runs it on
//! loopback and says what to fix).
//! The page: docs/en/exercises/tcp-server.md.
//! Std only, as the lecture listings: `std::net` has what you need.

fn main() {
    // from socket import *
    // import sys
    // serverName = sys.argv[1] if len(sys.argv) > 1 else ''
    // serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    // # TCP 소켓 생성 (SOCK_STREAM : TCP 소켓, welcoming socket)
    // serverSocket = socket(AF_INET, SOCK_STREAM)
    // # 소켓을 포트에 바인딩
    // serverSocket.bind((serverName, serverPort))
    // # 소켓을 리슨 상태로 설정 (1개의 클라이언트 연결 대기)
    // serverSocket.listen(1)
    // print('The server is ready to receive')
    // while True:
    //  # 클라이언트 연결 수락 & connection socket 생성
    //  connectionSocket, addr = serverSocket.accept()
    //  sentence = connectionSocket.recv(1024).decode()
    //  capitalizedSentence = sentence.upper()
    //  # 클라이언트에게 응답 메시지 전송
    //  connectionSocket.send(capitalizedSentence.encode())
    //  # connectino Socket 닫기
    //  connectionSocket.close()
    todo!("write the Rust of the Python lines above");
}
