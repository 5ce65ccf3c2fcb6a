"""A small UPnP Internet Gateway Device for tests: answers SSDP M-SEARCH on its interface and
serves a device description and the WANIPConnection SOAP actions a client needs to list port
mappings. Run it inside a test network namespace.

    fake_igd.py LAN_IP MAPPINGS_JSON
MAPPINGS_JSON: [[external_port, "TCP", internal_client, internal_port, "description"], ...]
"""

import json
import re
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAN_IP = sys.argv[1]
MAPPINGS = json.loads(sys.argv[2])
HTTP_PORT = 49152
EXTERNAL_IP = "81.2.69.160"  # what the fake router claims as its WAN address (data only)
ST = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
SERVICE = "urn:schemas-upnp-org:service:WANIPConnection:1"

DESC = f"""<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<URLBase>http://{LAN_IP}:{HTTP_PORT}/</URLBase>
<device><deviceType>{ST}</deviceType><friendlyName>Test Router</friendlyName><manufacturer>Clearline tests</manufacturer>
<modelName>IGD</modelName><UDN>uuid:11111111-2222-3333-4444-555555555555</UDN>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><UDN>uuid:wan</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><controlURL>/ctl/CmnIfCfg</controlURL>
<eventSubURL>/evt/CmnIfCfg</eventSubURL><SCPDURL>/WANCfg.xml</SCPDURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><UDN>uuid:wanconn</UDN>
<serviceList><service><serviceType>{SERVICE}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL></service>
</serviceList></device></deviceList></device></deviceList></device></root>"""


def envelope(action: str, body: str) -> bytes:
    return (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"'
        ' s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f'<u:{action}Response xmlns:u="{SERVICE}">{body}</u:{action}Response></s:Body></s:Envelope>'
    ).encode()


FAULT = (
    b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
    b"<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
    b'<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>713</errorCode>'
    b"<errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail>"
    b"</s:Fault></s:Body></s:Envelope>"
)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, code: int, body: bytes, ctype: str = 'text/xml; charset="utf-8"') -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/rootDesc.xml"):
            self._send(200, DESC.encode())
        else:
            self._send(404, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        action = (self.headers.get("SOAPAction") or "").strip('"').split("#")[-1]
        if action == "GetStatusInfo":
            self._send(
                200,
                envelope(
                    action,
                    "<NewConnectionStatus>Connected</NewConnectionStatus>"
                    "<NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>1000</NewUptime>",
                ),
            )
        elif action == "GetExternalIPAddress":
            self._send(
                200, envelope(action, f"<NewExternalIPAddress>{EXTERNAL_IP}</NewExternalIPAddress>")
            )
        elif action == "GetConnectionTypeInfo":
            self._send(
                200,
                envelope(
                    action,
                    "<NewConnectionType>IP_Routed</NewConnectionType>"
                    "<NewPossibleConnectionTypes>IP_Routed</NewPossibleConnectionTypes>",
                ),
            )
        elif action == "GetGenericPortMappingEntry":
            index = int(re.search(r"<NewPortMappingIndex>(\d+)<", body).group(1))
            if index >= len(MAPPINGS):
                self._send(500, FAULT)
                return
            ext, proto, client, port, desc = MAPPINGS[index]
            self._send(
                200,
                envelope(
                    action,
                    (
                        f"<NewRemoteHost></NewRemoteHost><NewExternalPort>{ext}</NewExternalPort><NewProtocol>{proto}</NewProtocol>"
                        f"<NewInternalPort>{port}</NewInternalPort><NewInternalClient>{client}</NewInternalClient>"
                        f"<NewEnabled>1</NewEnabled><NewPortMappingDescription>{desc}</NewPortMappingDescription>"
                        "<NewLeaseDuration>0</NewLeaseDuration>"
                    ),
                ),
            )
        else:
            self._send(500, FAULT)


def ssdp() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(LAN_IP))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    while True:
        data, addr = sock.recvfrom(2048)
        if data.startswith(b"M-SEARCH"):
            reply = (
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
                f"ST: {ST}\r\nUSN: uuid:11111111-2222-3333-4444-555555555555::{ST}\r\nEXT:\r\n"
                "SERVER: Linux/6 UPnP/1.1 FakeIGD/1.0\r\n"
                f"LOCATION: http://{LAN_IP}:{HTTP_PORT}/rootDesc.xml\r\n\r\n"
            )
            sock.sendto(reply.encode(), addr)


threading.Thread(target=ssdp, daemon=True).start()
print("ready", flush=True)
ThreadingHTTPServer((LAN_IP, HTTP_PORT), Handler).serve_forever()
