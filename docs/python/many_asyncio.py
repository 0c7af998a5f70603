# Serving many clients, model 5: async tasks (asyncio). Each connection
# gets a task that reads like the lecture's exchange; at each await the
# task steps aside, and the event loop (selectors, epoll) runs another.
import asyncio
import sys
# asyncio takes '' for every address, IPv6 too: 0.0.0.0 is the lecture's ''
serverName = sys.argv[1] if len(sys.argv) > 1 else '0.0.0.0'
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000

async def serve(reader, writer):
    sentence = (await reader.read(1024)).decode()
    capitalizedSentence = sentence.upper()
    writer.write(capitalizedSentence.encode())
    await writer.drain()
    # Close the connection socket, and wait until it is closed
    writer.close()
    await writer.wait_closed()

async def main():
    # socket, bind and listen (backlog 128); each accept starts serve()
    server = await asyncio.start_server(serve, serverName, serverPort,
                                        backlog=128)
    print('The server is ready to receive')
    await server.serve_forever()

asyncio.run(main())
