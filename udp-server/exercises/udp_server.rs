//! Exercise `udp-server`: port the lecture's UDP server
//! (`docs/python/udp_server.py`) to Rust yourself, line by line. Each
//! Python line is below as a comment: write its Rust under it, then
//! replace the `todo!()`.
//!
//! Check it: `cargo lab check udp-server` (it builds this file, runs it on
//! loopback and says what to fix).
//! The page: docs/en/exercises/udp-server.md.
//! Std only, as the lecture listings: `std::net` has what you need.

fn main() {
    // # server.py
    // from socket import *
    // import sys
    // # 포트 번호 설정
    // serverName = sys.argv[1] if len(sys.argv) > 1 else ''
    // serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    // # 소켓 생성
    // serverSocket = socket(AF_INET, SOCK_DGRAM)
    // # 소켓을 포트에 바인딩
    // serverSocket.bind((serverName, serverPort))
    // # 서버 시작 메시지 출력
    // print("The server is ready to receive")
    // # 무한 루프를 통해 클라이언트의 메시지를 수신하고 응답
    // while True:
    //  message, clientAddress = serverSocket.recvfrom(2048)
    //  modifiedMessage = message.decode().upper()
    //  serverSocket.sendto(modifiedMessage.encode(), clientAddress)
    todo!("write the Rust of the Python lines above");
}
