# server.py
from socket import *
import sys
# 포트 번호 설정
serverName = sys.argv[1] if len(sys.argv) > 1 else ''
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
# 소켓 생성
serverSocket = socket(AF_INET, SOCK_DGRAM)
# 소켓을 포트에 바인딩
serverSocket.bind((serverName, serverPort))
# 서버 시작 메시지 출력
print("The server is ready to receive")
# 무한 루프를 통해 클라이언트의 메시지를 수신하고 응답
while True:
 message, clientAddress = serverSocket.recvfrom(2048)
 modifiedMessage = message.decode().upper()
 serverSocket.sendto(modifiedMessage.encode(), clientAddress)
