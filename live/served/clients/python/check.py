#!/usr/bin/python3
"""A presence connector's Python side, MSAL Python and requests, run
unchanged against a served presencesim: the authority and instance
discovery off are all MSAL is told, Graph's base URL all requests is told,
and REQUESTS_CA_BUNDLE trusts the server's CA (MSAL uses requests too).

    presencesim serve --world ../world.json --ca-out ca.pem --addr 127.0.0.1:443
    PRESENCESIM_URL=https://127.0.0.1 REQUESTS_CA_BUNDLE=ca.pem /usr/bin/python3 check.py

For each credential (a client secret, a certificate, a user's password):
read presence, write it with setPresence, read Graph's error body, renew
the token. MSAL Python looks a user's realm up at https://{host}:443
whatever the authority's port, so the password flow runs against the
authority only when the server listens on 443; a child process then runs
a connector that keeps Microsoft's host names through HTTPS_PROXY, where
the password flow works on any port.
"""

import hashlib
import os
import ssl
import subprocess
import sys
import urllib.parse

import msal
import requests

APP = "presence connector"
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]
DELEGATED = ["https://graph.microsoft.com/Presence.ReadWrite"]
HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "..", "..", "..", "fakes", "entra", "testdata")

failed = 0


def check(ok, msg):
    global failed
    print(("ok    " if ok else "FAIL  ") + msg, flush=True)
    if not ok:
        failed += 1
    return ok


def skip(msg):
    print("skip  " + msg, flush=True)


class Graph:
    """Graph's presence API over requests, as a connector calls it."""

    def __init__(self, base, token):
        self.base, self.token, self.http = base, token, requests.Session()

    def call(self, method, path, body=None):
        r = self.http.request(method, self.base + path, json=body, timeout=30,
                              headers={"Authorization": "Bearer " + self.token()})
        return r.status_code, (r.json() if r.content else None)


class Connector:
    def __init__(self, name, graph, user, app_id, me=False, token=None, again=None):
        self.name, self.graph, self.user, self.app_id, self.me = name, graph, user, app_id, me
        self.token, self.again = token, again
        self.path = "/me/presence" if me else "/users/%s/presence" % user["id"]

    def read(self):
        st, p = self.graph.call("GET", self.path)
        check(st == 200 and p["id"] == self.user["id"] and p.get("availability") and p.get("activity"),
              "%s: read presence: %s %s/%s" % (self.name, st, p.get("availability"), p.get("activity")))

    def set_presence(self, availability, activity):
        return self.graph.call("POST", self.path + "/setPresence", {
            "sessionId": self.app_id, "availability": availability, "activity": activity,
            "expirationDuration": "PT5M"})

    def write(self):
        st, body = self.set_presence("Busy", "InACall")
        if not check(st == 200, "%s: setPresence Busy/InACall: %s %s" % (self.name, st, body or "")):
            return
        _, p = self.graph.call("GET", self.path)
        check((p["availability"], p["activity"]) == ("Busy", "InACall"),
              "%s: setPresence Busy/InACall reads back %s/%s" % (self.name, p["availability"], p["activity"]))
        st, body = self.graph.call("POST", self.path + "/clearPresence", {"sessionId": self.app_id})
        check(st == 200, "%s: clearPresence: %s" % (self.name, st))

    def error_body(self):
        st, body = self.set_presence("Busy", "Busy")  # not a pair setPresence accepts (G-SET-1)
        err = (body or {}).get("error", {})
        check(st == 400 and err.get("code") == "BadRequest" and err.get("message"),
              "%s: setPresence Busy/Busy answers %s %s: %s" % (self.name, st, err.get("code"), err.get("message")))

    def renew(self):
        first = self.token()
        token, how = self.again()
        if not check(token and token != first, "%s: renew: %s gets a new token" % (self.name, how)):
            return
        st, _ = Graph(self.graph.base, lambda: token).call("GET", self.path)
        check(st == 200, "%s: Graph takes the renewed token: %s" % (self.name, st))

    def run(self):
        for op in (self.read, self.write, self.error_body, self.renew):
            try:
                op()
            except Exception as e:  # a library's exception fails this check, not the run
                check(False, "%s: %s: %s: %s" % (self.name, op.__name__, type(e).__name__, e))


def directory_and_batch(graph, users):
    """What a connector does before it touches presence: look a user up by
    userPrincipalName (and by mail), then read three presences in one
    JSON batch (G-USR-1, G-BATCH-1)."""
    carol = users["carol"]
    st, u = graph.call("GET", "/users/" + urllib.parse.quote(carol["userPrincipalName"]))
    check(st == 200 and u.get("id") == carol["id"] and u.get("mail") == carol["mail"],
          "requests: GET /users/{userPrincipalName}: %s id %s mail %s" % (st, (u or {}).get("id"), (u or {}).get("mail")))
    st, page = graph.call("GET", "/users?$filter=" + urllib.parse.quote("mail eq '%s'" % carol["mail"]) + "&$select=id")
    ids = [v.get("id") for v in (page or {}).get("value", [])]
    check(st == 200 and ids == [carol["id"]], "requests: GET /users?$filter=mail eq '…': %s %s" % (st, ids))
    names = ["alice", "bob", "carol"]
    st, b = graph.call("POST", "/$batch", {"requests": [
        {"id": str(i + 1), "method": "GET", "url": "/users/%s/presence" % users[n]["id"]} for i, n in enumerate(names)]})
    got = {r["id"]: r for r in (b or {}).get("responses", [])}
    ok = st == 200 and sorted(got) == ["1", "2", "3"] and all(
        got[str(i + 1)]["status"] == 200 and got[str(i + 1)]["body"]["id"] == users[n]["id"] for i, n in enumerate(names))
    check(ok, "requests: POST /$batch of three presence reads: %s %s" % (
        st, ", ".join("%s→%s" % (k, r.get("status")) for k, r in sorted(got.items()))))


def token_of(result):
    if not result or "access_token" not in result:
        raise RuntimeError("no token: %s: %s" % ((result or {}).get("error"), (result or {}).get("error_description")))
    return result["access_token"]


def confidential(name, authority, app, credential, graph_base, user, **options):
    """A confidential client: the cache first, as MSAL Python's samples do;
    a renewal asks the token endpoint again, past the cache."""
    cca = msal.ConfidentialClientApplication(app["appId"], client_credential=credential, authority=authority, **options)

    def token():
        return token_of(cca.acquire_token_silent(GRAPH_DEFAULT, account=None) or cca.acquire_token_for_client(GRAPH_DEFAULT))

    def again():
        return token_of(cca.acquire_token_for_client(GRAPH_DEFAULT)), "acquire_token_for_client past the cache"

    return Connector("msal ConfidentialClientApplication " + name, Graph(graph_base, token), user, app["appId"],
                     token=token, again=again)


def public(authority, app, graph_base, user, **options):
    """A public client that signs a user in with her password; a renewal is
    a silent call with force_refresh, which spends the refresh token."""
    pca = msal.PublicClientApplication(app["appId"], authority=authority, **options)
    state = {}

    def token():
        if "account" in state:
            r = pca.acquire_token_silent(DELEGATED, account=state["account"])
            if r:
                return token_of(r)
        r = pca.acquire_token_by_username_password(user["userPrincipalName"], user["password"], scopes=DELEGATED)
        tok = token_of(r)
        state["account"] = pca.get_accounts(username=user["userPrincipalName"])[0]
        return tok

    def again():
        r = pca.acquire_token_silent(DELEGATED, account=state["account"], force_refresh=True)
        return token_of(r), "acquire_token_silent with force_refresh (the refresh token)"

    return Connector("msal PublicClientApplication (password)", Graph(graph_base, token), user, app["appId"],
                     me=True, token=token, again=again)


def certificate():
    """The test certificate the world file registers, as MSAL Python takes
    it: the key and the certificate's SHA-1 thumbprint."""
    with open(os.environ.get("PRESENCESIM_CLIENT_CERT") or os.path.join(TESTDATA, "client-cert.pem")) as f:
        cert = f.read()
    with open(os.environ.get("PRESENCESIM_CLIENT_KEY") or os.path.join(TESTDATA, "client-key.pem")) as f:
        key = f.read()
    der = ssl.PEM_cert_to_DER_cert(cert)
    return {"private_key": key, "thumbprint": hashlib.sha1(der).hexdigest(), "public_certificate": cert}


def world(base):
    r = requests.get(base + "/_presencesim/world", timeout=30)
    r.raise_for_status()
    w = r.json()
    tenant = w["tenants"][0]
    apps = [a for a in tenant["apps"] if a["displayName"] == APP]
    if not apps:
        sys.exit('check: the world has no app "%s": serve live/served/clients/world.json' % APP)
    users = {u["name"]: u for u in tenant["users"]}
    return tenant, apps[0], users


def direct(base):
    tenant, app, users = world(base)
    authority = "%s/%s" % (base, tenant["id"])
    graph = base + "/v1.0"
    connectors = [
        confidential("(secret)", authority, app, app["clientSecret"], graph, users["bob"], instance_discovery=False),
        confidential("(certificate)", authority, app, certificate(), graph, users["carol"], instance_discovery=False),
    ]
    port = urllib.parse.urlsplit(base).port or 443
    if port == 443:
        connectors.append(public(authority, app, graph, users["alice"], instance_discovery=False))
    else:
        skip("msal PublicClientApplication (password) at %s: MSAL Python looks the user realm up at "
             "https://127.0.0.1:443/common/userrealm/…, whatever the authority's port; serve with "
             "--addr 127.0.0.1:443 (the HTTPS_PROXY run below signs in with the password on any port)" % authority)
    for c in connectors:
        c.run()
    try:
        directory_and_batch(connectors[0].graph, users)
    except Exception as e:
        check(False, "requests: users and $batch: %s: %s" % (type(e).__name__, e))
    env = dict(os.environ, HTTPS_PROXY=base, NO_PROXY="", PRESENCESIM_URL="", AZURE_TENANT_ID=tenant["id"],
               AZURE_CLIENT_ID=app["appId"], AZURE_CLIENT_SECRET=app["clientSecret"],
               PRESENCE_USER_ID=users["bob"]["id"], PRESENCE_USERNAME=users["alice"]["userPrincipalName"],
               PRESENCE_PASSWORD=users["alice"]["password"])
    env.pop("no_proxy", None)
    child = subprocess.run([sys.executable, os.path.abspath(__file__), "--proxied"], env=env, timeout=180,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(child.returncode == 0, "a connector that keeps graph.microsoft.com and login.microsoftonline.com runs "
          "through HTTPS_PROXY=%s (exit %d):\n      %s" % (base, child.returncode, child.stdout.rstrip().replace("\n", "\n      ")))


def proxied():
    """A connector as it ships: Microsoft's authority and Graph's host,
    instance discovery on, configured only by its environment."""
    tenant, client_id, secret = os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"], os.environ["AZURE_CLIENT_SECRET"]
    authority = "https://login.microsoftonline.com/" + tenant
    graph = "https://graph.microsoft.com/v1.0"
    app = {"appId": client_id}
    c = confidential("(secret)", authority, {"appId": client_id}, secret, graph, {"id": os.environ["PRESENCE_USER_ID"]})
    st, body = c.graph.call("POST", c.path + "/setPresence", {
        "sessionId": client_id, "availability": "DoNotDisturb", "activity": "Presenting", "expirationDuration": "PT5M"})
    _, p = c.graph.call("GET", c.path)
    check(st == 200 and (p["availability"], p["activity"]) == ("DoNotDisturb", "Presenting"),
          "client secret: token from login.microsoftonline.com, setPresence and read %s/%s at graph.microsoft.com"
          % (p.get("availability"), p.get("activity")))
    c.graph.call("POST", c.path + "/clearPresence", {"sessionId": client_id})
    user = {"userPrincipalName": os.environ["PRESENCE_USERNAME"], "password": os.environ["PRESENCE_PASSWORD"]}
    pc = public(authority, app, graph, user)
    st, p = pc.graph.call("GET", pc.path)
    check(st == 200 and p.get("availability"),
          "password (user realm at login.microsoftonline.com): read /me/presence %s/%s" % (p.get("availability"), p.get("activity")))


def main():
    try:
        if sys.argv[1:] == ["--proxied"]:
            proxied()
        else:
            base = os.environ.get("PRESENCESIM_URL", "").rstrip("/")
            if not base:
                sys.exit("check: set PRESENCESIM_URL to the served URL (and REQUESTS_CA_BUNDLE to its CA)")
            direct(base)
    except requests.exceptions.SSLError as e:
        sys.exit("check: %s: is REQUESTS_CA_BUNDLE the CA the server wrote?" % e)
    if failed:
        print("%d checks failed" % failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
