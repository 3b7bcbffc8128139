package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/presencesim/presencesim/fakes/graph/richnotify"
)

// richNotifications subscribes, through the Graph SDK and a user's token,
// to bob's presence with includeResourceData and a certificate of its own
// on a loopback http listener (G-URL-1 allows http there), answers the
// validation handshake, has bob's presence change through setPresence,
// then decrypts the notification the way Microsoft's samples do and
// validates its token against the keys the discovery endpoint publishes
// (G-RICH-1).
func richNotifications(ctx context.Context, base, tenant string, app app, alice, bob user, opts azcore.ClientOptions, writer *connector) {
	const name = "rich notifications"
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cert, err := richnotify.NewCertificate(2048)
	if err != nil {
		check(false, "%s: certificate: %v", name, err)
		return
	}
	got := make(chan []byte, 16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		check(false, "%s: listen: %v", name, err)
		return
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, tok)
			return
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.WriteHeader(http.StatusAccepted) // answer first, check after, as Microsoft advises
		select {
		case got <- b:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	//lint:ignore SA1019 presence connectors sign in a presence account this way
	cred, err := azidentity.NewUsernamePasswordCredential(tenant, app.AppID, alice.UPN, alice.Password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		check(false, "%s: credential: %v", name, err)
		return
	}
	scopes := []string{"https://graph.microsoft.com/Presence.Read.All"}
	client, err := graphClient(cred, scopes, base)
	if err != nil {
		check(false, "%s: Graph client: %v", name, err)
		return
	}
	now, err := servedNow(base)
	if err != nil {
		check(false, "%s: the served clock: %v", name, err)
		return
	}
	sub := models.NewSubscription()
	changeType, notify, resource, certID, state := "updated", "http://"+ln.Addr().String()+"/notify", "/communications/presences?$filter=id in ('"+bob.ID+"')", "presence-check", "rich-check"
	exp := now.Add(30 * time.Minute)
	include := true
	sub.SetChangeType(&changeType)
	sub.SetNotificationUrl(&notify)
	sub.SetResource(&resource)
	sub.SetExpirationDateTime(&exp)
	sub.SetClientState(&state)
	sub.SetIncludeResourceData(&include)
	sub.SetEncryptionCertificate(&cert.Base64)
	sub.SetEncryptionCertificateId(&certID)
	created, err := client.Subscriptions().Post(ctx, sub, nil)
	if !check(err == nil && created != nil && created.GetId() != nil, "%s: Graph SDK subscribes with includeResourceData and its certificate (%v)", name, describe(err)) {
		return
	}
	defer func() {
		_ = client.Subscriptions().BySubscriptionId(*created.GetId()).Delete(context.Background(), nil)
	}()

	w := *writer
	w.user = bob.ID
	if err := w.setPresence(ctx, "Busy", "InACall"); !check(err == nil, "%s: setPresence of bob Busy/InACall (%v)", name, describe(err)) {
		return
	}
	defer func() { _ = w.setPresence(context.Background(), "Available", "Available") }()
	var body []byte
	select {
	case body = <-got:
	case <-ctx.Done():
		check(false, "%s: no notification reached %s", name, notify)
		return
	}
	var p struct {
		Value []struct {
			SubscriptionID   string                       `json:"subscriptionId"`
			ClientState      string                       `json:"clientState"`
			Resource         string                       `json:"resource"`
			EncryptedContent *richnotify.EncryptedContent `json:"encryptedContent"`
		} `json:"value"`
		ValidationTokens []string `json:"validationTokens"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Value) != 1 || p.Value[0].EncryptedContent == nil || len(p.ValidationTokens) == 0 {
		check(false, "%s: the notification has no encryptedContent and validationTokens: %v %s", name, err, body)
		return
	}
	v := p.Value[0]
	check(v.SubscriptionID == *created.GetId() && v.ClientState == state && v.Resource == resource,
		"%s: the notification names the subscription, its clientState and the subscribed resource %s", name, v.Resource)
	plain, err := richnotify.Decrypt(*v.EncryptedContent, cert.Key)
	var pr struct {
		ID, Availability, Activity string
	}
	if err == nil {
		err = json.Unmarshal(plain, &pr)
	}
	check(err == nil && pr.ID == bob.ID && pr.Availability == "Busy" && pr.Activity == "InACall",
		"%s: decrypts (RSA-OAEP, HMAC-SHA256, AES-CBC) to bob as %s/%s (%v)", name, pr.Availability, pr.Activity, err)
	keys, err := discoveryKeys(base, tenant)
	if err == nil {
		err = richnotify.ValidateToken(p.ValidationTokens[0], keys, app.AppID, tenant, time.Now())
	}
	check(err == nil, "%s: the validation token is signed by a key at the discovery keys endpoint, for this app, from Graph's publisher (%v)", name, err)
}

// servedNow is the served world's time, which subscription expirations
// are measured against.
func servedNow(base string) (time.Time, error) {
	resp, err := http.Get(base + "/_presencesim/clock")
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	var c struct {
		Now time.Time `json:"now"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return time.Time{}, err
	}
	return c.Now, nil
}

// discoveryKeys reads the identity platform's keys the way a subscriber
// finds them: the v1 OpenID document of the tenant names jwks_uri.
func discoveryKeys(base, tenant string) (richnotify.JWKS, error) {
	var ks richnotify.JWKS
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(base+"/"+tenant+"/.well-known/openid-configuration", &doc); err != nil {
		return ks, err
	}
	if !strings.HasPrefix(doc.JWKSURI, base+"/") {
		return ks, fmt.Errorf("jwks_uri %q is not the served identity platform's", doc.JWKSURI)
	}
	return ks, getJSON(doc.JWKSURI, &ks)
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
