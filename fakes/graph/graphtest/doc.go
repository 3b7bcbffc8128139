// Package graphtest is the subscriber and client side of the Graph fake,
// for tests and the step language: a Client that signs in as an app for
// itself or as a user and keeps its tokens (as SDKs do), the placeholder
// language of request paths and bodies ({alice}, {upn:alice}, {now+30m},
// {ids:651}, …), a JSON path evaluator for answers ("value[0].id"),
// webhooks that record what Graph delivers to them, and the keys and
// checks of JSON Web Tokens a resource server makes.
//
// Everything runs in process: the Client's HTTP client serves each request
// on the caller's goroutine through the fake's handler, so a caller may
// read the world between requests without locking.
package graphtest
