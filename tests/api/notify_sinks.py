#!/usr/bin/env python3
"""Stand-ins for the gateways of tests/api/notify_delivery_test.c (Python 3 standard library).

  notify_sinks.py smtp OUT [--refuse-first] [--user U --password P]
  notify_sinks.py http OUT [--refuse-first]

Listens on 127.0.0.1 on a free port, prints the port on a line of its own, then serves until
killed. Every message received (SMTP: envelope, AUTH, headers, decoded subject and body; HTTP:
path, headers, body) is appended to OUT as one JSON line *before* the answer is sent, so a
client that got its answer finds the record. --refuse-first answers the first attempt with a
temporary failure (SMTP 451 to MAIL FROM, HTTP 503).
"""
import base64
import email
import email.policy
import http.server
import json
import socketserver
import sys

mode, out_path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
refuse_first = '--refuse-first' in args
user = args[args.index('--user') + 1] if '--user' in args else None
password = args[args.index('--password') + 1] if '--password' in args else None
state = {'refused': False}


def record(obj):
    with open(out_path, 'a', encoding='utf-8') as f:
        f.write(json.dumps(obj, ensure_ascii=False) + '\n')


def refuse_now():
    if refuse_first and not state['refused']:
        state['refused'] = True
        return True
    return False


class SmtpHandler(socketserver.StreamRequestHandler):
    def send(self, text):
        self.wfile.write(text.encode() + b'\r\n')
        self.wfile.flush()

    def handle(self):
        env = {'mail_from': None, 'rcpt_to': [], 'auth': None}
        authed = user is None
        self.send('220 sink.test ESMTP test sink')
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode('utf-8', 'replace').rstrip('\r\n')
            up = cmd.upper()
            if up.startswith('EHLO'):
                self.send('250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME')
            elif up.startswith('HELO'):
                self.send('250 sink.test')
            elif up.startswith('AUTH PLAIN'):
                parts = cmd.split()
                if len(parts) > 2:
                    arg = parts[2]
                else:
                    self.send('334 ')
                    arg = self.rfile.readline().decode().strip()
                fields = base64.b64decode(arg).decode('utf-8').split('\0')
                env['auth'] = fields[1:]
                authed = fields[1:] == [user, password]
                self.send('235 2.7.0 ok' if authed else '535 5.7.8 bad credentials')
            elif up.startswith('MAIL FROM:'):
                if not authed:
                    self.send('530 5.7.0 authentication required')
                elif refuse_now():
                    self.send('451 4.3.0 try again later')
                else:
                    env['mail_from'] = cmd[10:].strip().strip('<>')
                    self.send('250 2.1.0 ok')
            elif up.startswith('RCPT TO:'):
                env['rcpt_to'].append(cmd[8:].strip().strip('<>'))
                self.send('250 2.1.5 ok')
            elif up == 'DATA':
                self.send('354 end with .')
                raw = b''
                while True:
                    l = self.rfile.readline()
                    if not l or l == b'.\r\n':
                        break
                    raw += l[1:] if l.startswith(b'.') else l
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                record({
                    **env,
                    'raw': raw.decode('utf-8', 'replace'),
                    'headers': {k: str(v) for k, v in msg.items()},
                    'raw_subject': msg.get('Subject', failobj='').__str__(),
                    'subject': str(msg['Subject']),
                    'body': msg.get_content(),
                })
                self.send('250 2.0.0 queued')
            elif up in ('RSET', 'NOOP'):
                self.send('250 ok')
            elif up == 'QUIT':
                self.send('221 bye')
                return
            else:
                self.send('502 5.5.2 not implemented')


class HttpHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        record({'path': self.path, 'headers': dict(self.headers.items()),
                'body': body.decode('utf-8', 'replace')})
        status = 503 if refuse_now() else 200
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *a):
        pass


class Server(socketserver.TCPServer):
    allow_reuse_address = True


handler = SmtpHandler if mode == 'smtp' else HttpHandler
with Server(('127.0.0.1', 0), handler) as srv:
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
