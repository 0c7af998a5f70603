# Serving many clients, model 4: one thread and a readiness loop over
# non-blocking sockets (selectors: epoll on Linux). The thread waits only
# in select(), and calls accept or recv on a socket once it is ready.
import selectors
from socket import *
import sys
serverName = sys.argv[1] if len(sys.argv) > 1 else ''
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind((serverName, serverPort))
serverSocket.listen(128)
# Non-blocking: accept and recv raise BlockingIOError instead of waiting
serverSocket.setblocking(False)
selector = selectors.DefaultSelector()
selector.register(serverSocket, selectors.EVENT_READ)
print('The server is ready to receive')
while True:
    # The one wait: until the kernel reports some socket ready
    for key, events in selector.select():
        if key.fileobj is serverSocket:
            connectionSocket, addr = serverSocket.accept()
            connectionSocket.setblocking(False)
            selector.register(connectionSocket, selectors.EVENT_READ)
            continue
        connectionSocket = key.fileobj
        selector.unregister(connectionSocket)
        try:
            # Ready: this recv returns at once
            sentence = connectionSocket.recv(1024).decode()
            capitalizedSentence = sentence.upper()
            connectionSocket.send(capitalizedSentence.encode())
        except (OSError, UnicodeDecodeError) as error:
            # One client's failure must not end the loop that serves all
            print(repr(error), file=sys.stderr)
        connectionSocket.close()
