// Rich notifications as a Node.js subscriber receives them (G-RICH-1): the
// Graph JavaScript client subscribes to bob's presence with
// includeResourceData and a self-signed certificate of the check's own,
// on a loopback http listener (Graph allows http only for loopback,
// G-URL-1); the listener answers the validation handshake; bob's presence
// changes through setPresence; the notification is decrypted the way
// Microsoft's samples do (RSA-OAEP with SHA-1, the HMAC-SHA256 check,
// AES-CBC with the key's first 16 bytes as IV) and its validation token
// checked against the keys the discovery document names.
import {
  constants,
  createDecipheriv,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { createServer } from "node:http";

const publisher = "0bf30f3b-4a52-48df-9a82-234910c4a086";

// DER, the little of it a certificate needs.
function der(tag, ...parts) {
  const body = Buffer.concat(parts);
  let len;
  if (body.length < 0x80) len = Buffer.from([body.length]);
  else if (body.length < 0x100) len = Buffer.from([0x81, body.length]);
  else len = Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p) => der(0x30, ...p);
const oid = (bytes) => der(0x06, Buffer.from(bytes));
const sha256WithRSA = seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), Buffer.from([0x05, 0x00]));
const name = seq(der(0x31, seq(oid([0x55, 0x04, 0x03]), der(0x0c, Buffer.from("presence subscriber")))));
const utcTime = (d) => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));

// selfSigned makes an RSA-2048 key and a self-signed X.509 certificate for
// it, base64 DER as encryptionCertificate wants it.
export function selfSigned() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serial = randomBytes(8);
  serial[0] &= 0x7f;
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    sha256WithRSA,
    name,
    seq(utcTime(new Date(now - 86400e3)), utcTime(new Date(now + 365 * 86400e3))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const sig = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, sha256WithRSA, der(0x03, Buffer.from([0]), sig));
  return { base64: cert.toString("base64"), privateKey };
}

// decrypt is Microsoft's sample decryption of encryptedContent.
export function decrypt(ec, privateKey) {
  const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(ec.dataKey, "base64"));
  const data = Buffer.from(ec.data, "base64");
  const mac = createHmac("sha256", key).update(data).digest();
  const expected = Buffer.from(ec.dataSignature, "base64");
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error("dataSignature does not match the data");
  const d = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  return JSON.parse(Buffer.concat([d.update(data), d.final()]).toString("utf8"));
}

const b64url = (s) => Buffer.from(s, "base64url");

// validateToken checks a validation token: RS256 by a published key, aud
// the app, appid Graph's publisher, iss the tenant's v1 issuer, in time.
export function validateToken(token, jwks, appId, tenantId) {
  const [h, p, s] = token.split(".");
  const header = JSON.parse(b64url(h));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (header.alg !== "RS256" || !jwk) throw new Error(`alg ${header.alg}, kid ${header.kid}: no such published key`);
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: "jwk" });
  if (!verify("sha256", Buffer.from(`${h}.${p}`), key, b64url(s))) throw new Error("the signature does not verify");
  const c = JSON.parse(b64url(p));
  const now = Date.now() / 1000;
  if (c.aud !== appId) throw new Error(`aud ${c.aud}, want ${appId}`);
  if (c.appid !== publisher) throw new Error(`appid ${c.appid}, want ${publisher}`);
  if (c.iss !== `https://sts.windows.net/${tenantId}/`) throw new Error(`iss ${c.iss}`);
  if (now < c.nbf - 300 || now >= c.exp + 300) throw new Error("expired or not yet valid");
  return c;
}

// richNotifications runs the check: subscriber is a Graph client with a
// user's Presence.Read.All token, writer one that may set bob's presence.
export async function richNotifications({ base, tenantId, appId, bob, subscriber, writer, check }) {
  const name = "rich notifications";
  const cert = selfSigned();
  let deliver;
  const arrived = new Promise((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const token = new URL(req.url, "http://127.0.0.1").searchParams.get("validationToken");
    if (token) {
      res.writeHead(200, { "Content-Type": "text/plain" }).end(token);
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(202).end(); // answer first, check after, as Microsoft advises
      deliver(Buffer.concat(chunks).toString("utf8"));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  let sub;
  try {
    const clock = await (await fetch(`${base}/_presencesim/clock`)).json();
    const resource = `/communications/presences?$filter=id in ('${bob.id}')`;
    sub = await subscriber.api("/subscriptions").post({
      changeType: "updated",
      notificationUrl: `http://127.0.0.1:${server.address().port}/notify`,
      resource,
      expirationDateTime: new Date(Date.parse(clock.now) + 30 * 60e3).toISOString(),
      clientState: "rich-check",
      includeResourceData: true,
      encryptionCertificate: cert.base64,
      encryptionCertificateId: "presence-check",
    });
    if (!check(sub.id && sub.includeResourceData === true, `${name}: the Graph client subscribes with includeResourceData and its certificate`)) return;
    await writer.api(`/users/${bob.id}/presence/setPresence`).post({ sessionId: appId, availability: "Busy", activity: "InACall", expirationDuration: "PT5M" });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no notification within 30 s")), 30e3).unref());
    const payload = JSON.parse(await Promise.race([arrived, timeout]));
    const item = payload.value[0];
    check(item.subscriptionId === sub.id && item.clientState === "rich-check" && item.resource === resource, `${name}: the notification names the subscription, its clientState and the subscribed resource ${item.resource}`);
    const p = decrypt(item.encryptedContent, cert.privateKey);
    check(p.id === bob.id && p.availability === "Busy" && p.activity === "InACall", `${name}: decrypts (RSA-OAEP, HMAC-SHA256, AES-CBC) to bob as ${p.availability}/${p.activity}`);
    const doc = await (await fetch(`${base}/${tenantId}/.well-known/openid-configuration`)).json();
    const jwks = await (await fetch(doc.jwks_uri)).json();
    validateToken(payload.validationTokens[0], jwks, appId, tenantId);
    check(true, `${name}: the validation token is signed by a key at ${new URL(doc.jwks_uri).pathname}, for this app, from Graph's publisher`);
  } catch (e) {
    check(false, `${name}: ${e.statusCode ?? ""} ${e.code ?? e.name}: ${e.message}`);
  } finally {
    server.close();
    if (sub?.id) await subscriber.api(`/subscriptions/${sub.id}`).delete().catch(() => {});
    await writer.api(`/users/${bob.id}/presence/clearPresence`).post({ sessionId: appId }).catch(() => {});
  }
}
