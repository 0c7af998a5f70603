# Serving many clients, model 2: a thread per connection (socketserver).
# The exchange is the lecture's; socketserver does the socket, bind,
# listen and accept, and runs handle() on a new thread for each client.
import socketserver
import sys
serverName = sys.argv[1] if len(sys.argv) > 1 else ''
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000

class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        # self.request: this client's connection socket, on its own thread
        sentence = self.request.recv(1024).decode()
        capitalizedSentence = sentence.upper()
        self.request.send(capitalizedSentence.encode())
        # socketserver closes the connection socket when handle returns

class Server(socketserver.ThreadingTCPServer):
    request_queue_size = 128  # the backlog passed to listen()
    daemon_threads = True     # a client's thread does not keep us alive

server = Server((serverName, serverPort), Handler)
print('The server is ready to receive')
server.serve_forever()
