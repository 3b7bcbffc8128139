// Package certs holds the certificates served mode uses: a root CA made
// fresh for each process, server certificates it signs for the names the
// fakes answer to (127.0.0.1, ::1, localhost, graph.microsoft.com,
// login.microsoftonline.com), and the loading of a certificate and key the
// user supplies instead.
//
// Graph and the identity platform are served over HTTPS only (G-TLS-1):
// Microsoft's client libraries refuse http authorities, and a client whose
// URLs cannot be changed reaches the fakes through an intercepting proxy
// that presents a certificate for Microsoft's own host names. Either way the
// client has to trust a root, so the CA's certificate is written out as PEM
// for the client's trust store (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS,
// REQUESTS_CA_BUNDLE) and offered as a pool for Go clients in process.
//
// The CA's key lives only in memory and dies with the process, so a trusted
// root from an earlier run cannot sign anything later. This package sits
// outside the deterministic core: validity follows the wall clock unless a
// test fixes the time through CA.Now.
package certs
