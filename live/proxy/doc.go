// Package proxy holds an HTTPS proxy that intercepts exactly the host names
// it is given, the way Microsoft Dev Proxy intercepts Microsoft's own hosts:
// it is how presencesim reaches a connector whose URLs cannot be changed.
// The connector is pointed at the proxy (HTTPS_PROXY) and made to trust the
// served CA; its requests to https://graph.microsoft.com and
// https://login.microsoftonline.com then reach the fakes, decrypted, as if
// they had been sent to them directly.
//
// A CONNECT to an intercepted host on port 443 is answered 200, the tunnel's
// TLS is terminated with the given certificate, and the requests inside are
// served to that host's handler by an http.Server of the tunnel's own, which
// brings keep-alive, HTTP/2 when offered, and header and idle timeouts. Every
// other destination is refused with 403 and never dialled: a connector
// under test must not reach the real Microsoft cloud or anything else
// through the harness, and a refusal names the host it tried, which shows
// where a connector's URLs come from. Plain proxied http:// requests are
// served the same way when their host is intercepted.
//
// The proxy is one http.Handler, so it can be mounted beside the fakes on
// the served listener: IsProxyRequest tells a proxy request from a request
// for the fakes themselves.
package proxy
