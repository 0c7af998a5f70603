# Serving many clients, model 3: a fixed pool of four worker threads
# (concurrent.futures). The main thread accepts and queues each
# connection; a worker runs serve() on it when one is free.
from concurrent.futures import ThreadPoolExecutor
from socket import *
import sys
serverName = sys.argv[1] if len(sys.argv) > 1 else ''
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000

def serve(connectionSocket):
    try:
        sentence = connectionSocket.recv(1024).decode()
        capitalizedSentence = sentence.upper()
        connectionSocket.send(capitalizedSentence.encode())
    except (OSError, UnicodeDecodeError) as error:
        # The pool would keep the error unseen in the task's future
        print(repr(error), file=sys.stderr)
    connectionSocket.close()

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind((serverName, serverPort))
serverSocket.listen(128)
print('The server is ready to receive')
with ThreadPoolExecutor(max_workers=4) as pool:
    while True:
        # Accept at once, however busy the workers: the queue has no bound
        connectionSocket, addr = serverSocket.accept()
        pool.submit(serve, connectionSocket)
