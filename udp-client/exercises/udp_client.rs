//! Exercise `udp-client`: port the lecture's UDP client
//! (`docs/python/udp_client.py`) to Rust yourself, line by line. Each
//! Python line is below as a comment: write its Rust under it, then
//! replace the `todo!()`.
//!
//! Check it: `cargo lab check udp-client` (it builds this file, runs it on
//! loopback and says what to fix).
//! The page: docs/en/exercises/udp-client.md.
//! Std only, as the lecture listings: `std::net` has what you need.

fn main() {
    // # client.py
    // # socket module : Python에서 소켓 프로그래밍을 위한 모듈
    // from socket import *
    // import sys
    // # 서버 주소와 포트 번호 설정
    // serverName = sys.argv[1] if len(sys.argv) > 1 else 'localhost'
    // serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    // # 소켓 생성
    // # AF_INET : IPv4 주소 체계
    // # SOCK_DGRAM : UDP 소켓
    // clientSocket = socket(AF_INET, SOCK_DGRAM)
    // # 사용자로부터 메시지 입력
    // message = input('Input lowercase sentence:')
    // # 메시지를 서버로 전송 (비연결형)
    // clientSocket.sendto(message.encode(),(serverName, serverPort))
    // # 서버로부터 응답 메시지 수신 (2048 : 버퍼 크기)
    // modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
    // print(modifiedMessage.decode())
    // # 소켓 닫기
    // clientSocket.close()
    todo!("write the Rust of the Python lines above");
}
