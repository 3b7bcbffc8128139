// A presence connector's Node.js libraries run unchanged against a served
// presencesim: @azure/identity and @azure/msal-node get the tokens,
// @microsoft/microsoft-graph-client reads and writes presence. Only options
// point them at the fake (authorityHost and instance discovery off, or
// msal-node's authority and knownAuthorities; Graph's baseUrl and
// customHosts); NODE_EXTRA_CA_CERTS trusts the server's CA.
//
//   presencesim serve --world ../world.json --ca-out ca.pem --addr 127.0.0.1:9443
//   PRESENCESIM_URL=https://127.0.0.1:9443 NODE_EXTRA_CA_CERTS=ca.pem node check.mjs
//
// For each credential: read presence, write it with setPresence, read
// Graph's error body, renew the token; then look a user up by
// userPrincipalName and batch three presence reads. The served tokens live an hour, so
// a renewal is forced: @azure/identity's credential is built anew (its
// cache is its own), msal-node is told to skip its cache, and msal-node's
// public client refreshes with its refresh token (forceRefresh).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  UsernamePasswordCredential,
} from "@azure/identity";
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { BatchRequestContent, BatchResponseContent, Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { richNotifications } from "./rich.mjs";

const base = (process.env.PRESENCESIM_URL || "").replace(/\/$/, "");
if (!base) {
  console.error("check: set PRESENCESIM_URL to the served URL (and NODE_EXTRA_CA_CERTS to its CA)");
  process.exit(2);
}
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const certFile = process.env.PRESENCESIM_CLIENT_CERT || here("../../../../fakes/entra/testdata/client-cert.pem");
const keyFile = process.env.PRESENCESIM_CLIENT_KEY || here("../../../../fakes/entra/testdata/client-key.pem");
const appName = "presence connector";
const graphDefault = ["https://graph.microsoft.com/.default"];
const delegated = ["https://graph.microsoft.com/Presence.ReadWrite"];
const { host, hostname } = new URL(base);

let failed = 0;
function check(ok, msg) {
  console.log(`${ok ? "ok   " : "FAIL "} ${msg}`);
  if (!ok) failed++;
  return ok;
}

const res = await fetch(`${base}/_presencesim/world`).catch((e) => {
  console.error(`check: GET /_presencesim/world: ${e.cause?.code || e.message}; is NODE_EXTRA_CA_CERTS the CA the server wrote?`);
  process.exit(2);
});
const world = await res.json();
const tenant = world.tenants[0];
const app = tenant.apps.find((a) => a.displayName === appName);
if (!app) {
  console.error(`check: the world has no app "${appName}": serve live/served/clients/world.json`);
  process.exit(2);
}
const user = (name) => tenant.users.find((u) => u.name === name);
const [alice, bob, carol] = ["alice", "bob", "carol"].map(user);

// The Graph client as a connector builds it: tokens go only to Graph's own
// hosts and customHosts (host names without a port).
function graphClient(authProvider) {
  return Client.initWithMiddleware({ authProvider, baseUrl: `${base}/`, defaultVersion: "v1.0", customHosts: new Set([hostname]) });
}

const identityOptions = { authorityHost: base, disableInstanceDiscovery: true };

// msal-node takes its authority as given once the host is a known one.
const msalAuth = { authority: `${base}/${tenant.id}`, knownAuthorities: [host] };

class Connector {
  constructor(name, { graph, token, again, user, me }) {
    Object.assign(this, { name, graph, token, again, user, me });
  }

  get path() {
    return this.me ? "/me/presence" : `/users/${this.user.id}/presence`;
  }

  async read() {
    const p = await this.graph.api(this.path).get();
    check(p.id === this.user.id && p.availability && p.activity, `${this.name}: read presence: ${p.availability}/${p.activity}`);
  }

  setPresence(availability, activity) {
    return this.graph.api(`${this.path}/setPresence`).post({ sessionId: app.appId, availability, activity, expirationDuration: "PT5M" });
  }

  async write() {
    await this.setPresence("Busy", "InACall");
    const p = await this.graph.api(this.path).get();
    if (!check(p.availability === "Busy" && p.activity === "InACall", `${this.name}: setPresence Busy/InACall reads back ${p.availability}/${p.activity}`)) return;
    await this.graph.api(`${this.path}/clearPresence`).post({ sessionId: app.appId });
    check(true, `${this.name}: clearPresence`);
  }

  async errorBody() {
    try {
      await this.setPresence("Busy", "Busy"); // not a pair setPresence accepts (G-SET-1)
      check(false, `${this.name}: setPresence Busy/Busy was accepted`);
    } catch (e) {
      check(e.statusCode === 400 && e.code === "BadRequest" && e.message, `${this.name}: setPresence Busy/Busy answers GraphError ${e.statusCode} ${e.code}: ${e.message}`);
    }
  }

  // renew gets a token, then another that bypasses the cache, and has
  // Graph take the second.
  async renew() {
    const first = await this.token();
    const { token, graph, how } = await this.again();
    if (!check(token && token !== first, `${this.name}: renew: ${how} gets a new token`)) return;
    const p = await graph.api(this.path).get();
    check(p.availability, `${this.name}: Graph takes the renewed token`);
  }

  async run() {
    for (const op of ["read", "write", "errorBody", "renew"]) {
      try {
        await this[op]();
      } catch (e) {
        check(false, `${this.name}: ${op}: ${e.statusCode ?? ""} ${e.code ?? e.name}: ${e.message}`);
      }
    }
  }
}

// An @azure/identity credential, its Graph client through
// TokenCredentialAuthenticationProvider; renewed by a credential built anew.
function identity(name, make, scopes, target, me = false) {
  const cred = make();
  const graph = graphClient(new TokenCredentialAuthenticationProvider(cred, { scopes }));
  return new Connector(`@azure/identity ${name}`, {
    graph,
    user: target,
    me,
    token: async () => (await cred.getToken(scopes)).token,
    again: async () => {
      const fresh = make();
      return {
        token: (await fresh.getToken(scopes)).token,
        graph: graphClient(new TokenCredentialAuthenticationProvider(fresh, { scopes })),
        how: "the credential built anew, its cache empty,",
      };
    },
  });
}

const pem = readFileSync(certFile, "utf8") + readFileSync(keyFile, "utf8");
const connectors = [
  identity("ClientSecretCredential", () => new ClientSecretCredential(tenant.id, app.appId, app.clientSecret, identityOptions), graphDefault, bob),
  identity("ClientCertificateCredential", () => new ClientCertificateCredential(tenant.id, app.appId, { certificate: pem }, identityOptions), graphDefault, carol),
  identity("UsernamePasswordCredential", () => new UsernamePasswordCredential(tenant.id, app.appId, alice.userPrincipalName, alice.password, identityOptions), delegated, alice, true),
];

// msal-node's confidential client; a renewal skips its cache.
{
  const cca = new ConfidentialClientApplication({ auth: { clientId: app.appId, clientSecret: app.clientSecret, ...msalAuth } });
  const token = async (skipCache = false) => (await cca.acquireTokenByClientCredential({ scopes: graphDefault, skipCache })).accessToken;
  connectors.push(new Connector("@azure/msal-node ConfidentialClientApplication", {
    graph: graphClient({ getAccessToken: () => token() }),
    user: bob,
    token: () => token(),
    again: async () => {
      const t = await token(true);
      return { token: t, graph: graphClient({ getAccessToken: async () => t }), how: "acquireTokenByClientCredential with skipCache" };
    },
  }));
}

// msal-node's public client signs alice in with her password; a renewal is
// a silent call that must use the refresh token.
{
  const pca = new PublicClientApplication({ auth: { clientId: app.appId, ...msalAuth } });
  let account;
  const token = async () => {
    if (account) return (await pca.acquireTokenSilent({ account, scopes: delegated })).accessToken;
    const r = await pca.acquireTokenByUsernamePassword({ username: alice.userPrincipalName, password: alice.password, scopes: delegated });
    account = r.account;
    return r.accessToken;
  };
  connectors.push(new Connector("@azure/msal-node PublicClientApplication (password)", {
    graph: graphClient({ getAccessToken: token }),
    user: alice,
    me: true,
    token,
    again: async () => {
      const r = await pca.acquireTokenSilent({ account, scopes: delegated, forceRefresh: true });
      const t = r.accessToken;
      return { token: t, graph: graphClient({ getAccessToken: async () => t }), how: "acquireTokenSilent with forceRefresh (the refresh token)" };
    },
  }));
}

for (const c of connectors) await c.run();

// What a connector does before it touches presence: look a user up by
// userPrincipalName and by mail, then read three presences in one JSON
// batch (G-USR-1, G-BATCH-1), with the application token of the first.
{
  const graph = connectors[0].graph;
  const name = "@microsoft/microsoft-graph-client";
  try {
    const u = await graph.api(`/users/${encodeURIComponent(carol.userPrincipalName)}`).get();
    check(u.id === carol.id && u.mail === carol.mail, `${name}: GET /users/{userPrincipalName}: id ${u.id} mail ${u.mail}`);
    const page = await graph.api("/users").filter(`mail eq '${carol.mail}'`).select("id").get();
    const ids = page.value.map((v) => v.id);
    check(ids.length === 1 && ids[0] === carol.id, `${name}: GET /users?$filter=mail eq '…': ${ids.join(", ")}`);
    // BatchRequestContent strips the scheme and host of a step's URL but,
    // in 3.0.7, not the version (fixed after it), and Graph refuses a
    // "/v1.0/…" inside a batch: the steps name the host without it.
    const people = [alice, bob, carol];
    const steps = people.map((p, i) => ({ id: String(i + 1), request: new Request(`${base}/users/${p.id}/presence`, { method: "GET" }) }));
    const content = await new BatchRequestContent(steps).getContent();
    const answer = new BatchResponseContent(await graph.api("/$batch").post(content));
    const got = [];
    for (const [i, p] of people.entries()) {
      const r = answer.getResponseById(String(i + 1));
      const body = r ? await r.json() : {};
      got.push(r && r.status === 200 && body.id === p.id && body.availability ? `${i + 1}→200 ${body.availability}` : `${i + 1}→${r?.status}`);
    }
    check(got.every((g) => g.includes("→200")), `${name}: BatchRequestContent of three presence reads: ${got.join(", ")}`);
  } catch (e) {
    check(false, `${name}: users and $batch: ${e.statusCode ?? ""} ${e.code ?? e.name}: ${e.message}`);
  }
}
{
  const readAll = ["https://graph.microsoft.com/Presence.Read.All"];
  const watcher = new UsernamePasswordCredential(tenant.id, app.appId, alice.userPrincipalName, alice.password, identityOptions);
  const writer = new ClientSecretCredential(tenant.id, app.appId, app.clientSecret, identityOptions);
  await richNotifications({
    base,
    tenantId: tenant.id,
    appId: app.appId,
    bob,
    subscriber: graphClient(new TokenCredentialAuthenticationProvider(watcher, { scopes: readAll })),
    writer: graphClient(new TokenCredentialAuthenticationProvider(writer, { scopes: graphDefault })),
    check,
  });
}
if (failed) console.log(`${failed} checks failed`);
process.exit(failed ? 1 : 0);
