#!/usr/bin/env python3
"""A TCP proxy to PostgreSQL's Unix socket that holds everything the client sends for a fixed
delay before passing it on, as a slow network between the server and its database would.

What a request costs through it, less what it costs without it, divided by the delay, is the
number of round trips the server made to PostgreSQL one after another: statements sent at the
same time, or in one message, share a delay.

    DATABASE_URL=postgres://…?host=/socket/dir slow_link.py LISTEN_PORT DELAY_MS

It prints the address to give the server instead (the same, through the proxy) and runs until
it is stopped.
"""

import asyncio
import os
import sys
import time
from urllib.parse import parse_qs, urlsplit, urlunsplit


async def forward_later(reader, writer, delay):
    """Copies reader to writer, each piece `delay` seconds after it arrived, in order."""
    pieces = asyncio.Queue()

    async def send():
        while True:
            arrived, data = await pieces.get()
            if data is None:
                writer.close()
                return
            wait = arrived + delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    while data := await reader.read(65536):
        pieces.put_nowait((time.monotonic(), data))
    pieces.put_nowait((time.monotonic(), None))
    await sender


async def forward(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


def through_proxy(url, port):
    """The Unix socket `url` reaches, and the same address through the proxy on `port`."""
    parts = urlsplit(url)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    if socket_dir is None:
        sys.exit("slow_link: DATABASE_URL must reach PostgreSQL through a Unix socket (?host=…)")
    socket_path = f"{socket_dir}/.s.PGSQL.{parts.port or 5432}"
    credentials = parts.netloc.rsplit("@", 1)[0]
    proxied = urlunsplit((parts.scheme, f"{credentials}@127.0.0.1:{port}", parts.path, "", ""))
    return socket_path, proxied


async def main():
    port, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
    socket_path, proxied = through_proxy(os.environ["DATABASE_URL"], port)

    async def connect(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_unix_connection(socket_path)
        except OSError as error:
            print(f"slow_link: cannot reach {socket_path}: {error}", file=sys.stderr)
            client_writer.close()
            return
        try:
            await asyncio.gather(
                forward_later(client_reader, server_writer, delay),
                forward(server_reader, client_writer),
            )
        except (ConnectionError, asyncio.CancelledError):
            client_writer.close()
            server_writer.close()

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    print(proxied, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
