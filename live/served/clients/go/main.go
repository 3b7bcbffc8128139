// Command check runs a presence connector's Go libraries, azidentity and
// the Microsoft Graph Go SDK, unchanged against a served presencesim: the
// authority host, instance discovery off, Graph's base URL and the hosts
// the SDK may send tokens to are all it configures, and it trusts the
// server's CA through SSL_CERT_FILE.
//
// For each credential a connector signs in with (a client secret, a
// certificate, a user's password) it reads presence, writes it with
// setPresence, reads Graph's error body and renews its token; with the
// client secret it also looks a user up by userPrincipalName and mail and
// batches three presence reads. The token
// renewal runs twice: against the served process with the credential's
// cache cleared, and in a child process against an in-process server whose
// tokens live 4 minutes, inside the libraries' 5-minute renewal margin, so
// that the same credential renews every time (the password credential
// through the refresh token). A second child keeps Graph's and Entra ID's
// real host names and reaches the fakes through HTTPS_PROXY alone.
//
//	presencesim serve --world ../world.json --ca-out ca.pem --addr 127.0.0.1:9443
//	PRESENCESIM_URL=https://127.0.0.1:9443 SSL_CERT_FILE=ca.pem go run .
//
// It lives in a module of its own so the main module does not carry the
// libraries.
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live/certs"
	"github.com/presencesim/presencesim/live/served"
)

// The environment the check reads.
const (
	envURL   = "PRESENCESIM_URL"         // the served base URL, https://127.0.0.1:port
	envCert  = "PRESENCESIM_CLIENT_CERT" // the app's certificate (PEM), registered by the world file
	envKey   = "PRESENCESIM_CLIENT_KEY"  // its private key (PEM)
	envWorld = "PRESENCESIM_WORLD"       // the world file, for the in-process server
	envRole  = "PRESENCESIM_CHECK_ROLE"  // "short" or "proxied" in a child process
)

// appName is the world file's app registration the checks sign in as.
const appName = "presence connector"

var graphDefault = []string{"https://graph.microsoft.com/.default"}

func main() {
	switch os.Getenv(envRole) {
	case "proxied":
		os.Exit(proxied())
	case "short":
		os.Exit(direct(true))
	case "":
		os.Exit(parent())
	default:
		fmt.Fprintf(os.Stderr, "check: %s=%q; valid: short, proxied\n", envRole, os.Getenv(envRole))
		os.Exit(2)
	}
}

var failed int

func check(ok bool, format string, args ...any) bool {
	if ok {
		fmt.Printf("ok    "+format+"\n", args...)
		return true
	}
	failed++
	fmt.Printf("FAIL  "+format+"\n", args...)
	return false
}

func exitCode() int {
	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		return 1
	}
	return 0
}

// parent runs the checks against the served process, then the children.
func parent() int {
	base := strings.TrimSuffix(os.Getenv(envURL), "/")
	if base == "" {
		fmt.Fprintf(os.Stderr, "check: set %s to the served URL (and SSL_CERT_FILE to its CA)\n", envURL)
		return 2
	}
	if code := direct(false); code == 2 {
		return code
	}
	w, err := fetchWorld(base, http.DefaultClient)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		return 2
	}
	shortLived()
	viaProxy(base, w)
	return exitCode()
}

// connector is one credential with the Graph client built on it.
type connector struct {
	name      string
	cred      azcore.TokenCredential
	client    *msgraphsdk.GraphServiceClient
	scopes    []string
	delegated bool   // /me paths, a user's token
	user      string // the user whose presence it reads and writes
	appID     string // the session id of setPresence
	// again builds the same credential anew, its cache empty.
	again func() (azcore.TokenCredential, error)
}

// direct runs every credential against PRESENCESIM_URL. With short, the
// server's tokens expire within the renewal margin and the same credential
// is asked again instead of a new one.
func direct(short bool) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := strings.TrimSuffix(os.Getenv(envURL), "/")
	w, err := fetchWorld(base, http.DefaultClient)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		return 2
	}
	app, err := w.app(appName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		return 2
	}
	tenant := w.Tenants[0].ID
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: base + "/"}}

	certPEM, keyPEM, err := readCertificate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		return 2
	}
	chain, key, err := azidentity.ParseCertificates(append(certPEM, keyPEM...), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		return 2
	}

	secret := func() (azcore.TokenCredential, error) {
		return azidentity.NewClientSecretCredential(tenant, app.AppID, app.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	}
	certificate := func() (azcore.TokenCredential, error) {
		return azidentity.NewClientCertificateCredential(tenant, app.AppID, chain, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	}
	password := func() (azcore.TokenCredential, error) {
		//lint:ignore SA1019 presence connectors sign in a presence account this way
		return azidentity.NewUsernamePasswordCredential(tenant, app.AppID, alice.UPN, alice.Password,
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	}
	kinds := []struct {
		name      string
		make      func() (azcore.TokenCredential, error)
		scopes    []string
		delegated bool
		user      user
	}{
		{"ClientSecretCredential", secret, graphDefault, false, bob},
		{"ClientCertificateCredential", certificate, graphDefault, false, carol},
		{"UsernamePasswordCredential", password, []string{"https://graph.microsoft.com/Presence.ReadWrite"}, true, alice},
	}
	var writer *connector // an application's, to change presence for the rich notification
	for _, k := range kinds {
		cred, err := k.make()
		if err != nil {
			check(false, "%s: %v", k.name, err)
			continue
		}
		client, err := graphClient(cred, k.scopes, base)
		if err != nil {
			check(false, "%s: Graph client: %v", k.name, err)
			continue
		}
		c := &connector{name: "azidentity " + k.name, cred: cred, client: client, scopes: k.scopes,
			delegated: k.delegated, user: k.user.ID, appID: app.AppID, again: k.make}
		if short {
			c.name += " (4-minute tokens)"
			c.renew(ctx, base, true)
			continue
		}
		c.read(ctx)
		c.write(ctx)
		c.errorBody(ctx)
		c.renew(ctx, base, false)
		if !k.delegated && k.user.ID == bob.ID {
			c.directoryAndBatch(ctx, carol, []user{alice, bob, carol})
		}
		if !short && k.name == "ClientSecretCredential" {
			writer = c
		}
	}
	if writer != nil {
		richNotifications(ctx, base, tenant, app, alice, bob, opts, writer)
	}
	return exitCode()
}

// directoryAndBatch is what a connector does before it touches presence:
// it looks a user up by userPrincipalName and by mail, then reads three
// presences in one JSON batch with the SDK's batch request (G-USR-1,
// G-BATCH-1).
func (c *connector) directoryAndBatch(ctx context.Context, who user, people []user) {
	u, err := c.client.Users().ByUserId(who.UPN).Get(ctx, nil)
	if err != nil {
		check(false, "%s: Users().ByUserId(upn).Get: %v", c.name, describe(err))
	} else {
		check(str(u.GetId()) == who.ID && str(u.GetMail()) == who.Mail, "%s: Users().ByUserId(%s).Get: id %s mail %s", c.name, who.UPN, str(u.GetId()), str(u.GetMail()))
	}
	filter := "mail eq '" + who.Mail + "'"
	page, err := c.client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: []string{"id"}}})
	if err != nil {
		check(false, "%s: Users().Get with $filter: %v", c.name, describe(err))
	} else {
		var ids []string
		for _, v := range page.GetValue() {
			ids = append(ids, str(v.GetId()))
		}
		check(len(ids) == 1 && ids[0] == who.ID, "%s: Users().Get $filter=%s: %v", c.name, filter, ids)
	}
	batch := msgraphcore.NewBatchRequest(c.client.GetAdapter())
	var steps []string
	for _, p := range people {
		ri, err := c.client.Users().ByUserId(p.ID).Presence().ToGetRequestInformation(ctx, nil)
		if err == nil {
			// A request builder keeps the base URL the client was made with
			// (graph.microsoft.com); sending, the adapter puts its own in,
			// but a batch step keeps the builder's, and Graph refuses the
			// absolute URL that leaves once the base URL is changed.
			ri.PathParameters["baseurl"] = c.client.GetAdapter().GetBaseUrl()
			var item msgraphcore.BatchItem
			if item, err = batch.AddBatchRequestStep(*ri); err == nil {
				steps = append(steps, str(item.GetId()))
			}
		}
		if err != nil {
			check(false, "%s: batch step: %v", c.name, err)
			return
		}
	}
	resp, err := batch.Send(ctx, c.client.GetAdapter())
	if err != nil {
		check(false, "%s: batch Send: %v", c.name, describe(err))
		return
	}
	var got []string
	ok := true
	for i, id := range steps {
		p, err := msgraphcore.GetBatchResponseById[models.Presenceable](resp, id, models.CreatePresenceFromDiscriminatorValue)
		if err != nil || str(p.GetId()) != people[i].ID {
			ok = false
			got = append(got, fmt.Sprintf("%s: %v", people[i].Name, describe(err)))
			continue
		}
		got = append(got, people[i].Name+" "+str(p.GetAvailability()))
	}
	check(ok, "%s: msgraphcore.NewBatchRequest of three presence reads: %s", c.name, strings.Join(got, ", "))
}

// graphClient is the Graph SDK as a connector builds it, its base URL and
// the hosts it attaches tokens to pointed at the served process.
func graphClient(cred azcore.TokenCredential, scopes []string, base string) (*msgraphsdk.GraphServiceClient, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	client, err := msgraphsdk.NewGraphServiceClientWithCredentialsAndHosts(cred, scopes, []string{u.Hostname()})
	if err != nil {
		return nil, err
	}
	client.GetAdapter().SetBaseUrl(base + "/v1.0")
	return client, nil
}

func (c *connector) presence(ctx context.Context, client *msgraphsdk.GraphServiceClient) (models.Presenceable, error) {
	if c.delegated {
		return client.Me().Presence().Get(ctx, nil)
	}
	return client.Users().ByUserId(c.user).Presence().Get(ctx, nil)
}

func (c *connector) presenceBuilder() *users.ItemPresenceRequestBuilder {
	if c.delegated {
		return c.client.Me().Presence()
	}
	return c.client.Users().ByUserId(c.user).Presence()
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func (c *connector) read(ctx context.Context) {
	p, err := c.presence(ctx, c.client)
	if err != nil {
		check(false, "%s: read presence: %v", c.name, describe(err))
		return
	}
	check(str(p.GetId()) == c.user && p.GetAvailability() != nil && p.GetActivity() != nil,
		"%s: read presence: %s/%s", c.name, str(p.GetAvailability()), str(p.GetActivity()))
}

func (c *connector) setPresence(ctx context.Context, availability, activity string) error {
	body := users.NewItemPresenceSetPresencePostRequestBody()
	body.SetSessionId(&c.appID)
	body.SetAvailability(&availability)
	body.SetActivity(&activity)
	body.SetExpirationDuration(serialization.NewDuration(0, 0, 0, 0, 5, 0, 0))
	return c.presenceBuilder().SetPresence().Post(ctx, body, nil)
}

func (c *connector) write(ctx context.Context) {
	if err := c.setPresence(ctx, "Busy", "InACall"); err != nil {
		check(false, "%s: setPresence Busy/InACall: %v", c.name, describe(err))
		return
	}
	p, err := c.presence(ctx, c.client)
	if err != nil || str(p.GetAvailability()) != "Busy" || str(p.GetActivity()) != "InACall" {
		check(false, "%s: setPresence Busy/InACall, then read %v (%v)", c.name, p, describe(err))
		return
	}
	clear := users.NewItemPresenceClearPresencePostRequestBody()
	clear.SetSessionId(&c.appID)
	err = c.presenceBuilder().ClearPresence().Post(ctx, clear, nil)
	check(err == nil, "%s: setPresence Busy/InACall reads back Busy/InACall; clearPresence (%v)", c.name, describe(err))
}

func (c *connector) errorBody(ctx context.Context) {
	err := c.setPresence(ctx, "Busy", "Busy") // not a pair setPresence accepts (G-SET-1)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.GetErrorEscaped() == nil {
		check(false, "%s: setPresence Busy/Busy: want an ODataError, got %T %v", c.name, err, err)
		return
	}
	main := oe.GetErrorEscaped()
	check(oe.ResponseStatusCode == 400 && str(main.GetCode()) == "BadRequest" && str(main.GetMessage()) != "",
		"%s: setPresence Busy/Busy answers ODataError %d %s: %s", c.name, oe.ResponseStatusCode, str(main.GetCode()), str(main.GetMessage()))
}

// renew gets a second token and has Graph take it: from the same
// credential when the server's tokens are short (the library renews by
// itself), else from the same credential built anew, its cache empty. It
// asks with CAE on, as the Graph SDK does, so that it reads the cache the
// SDK's requests use: azidentity keeps one for CAE tokens and one for others.
func (c *connector) renew(ctx context.Context, base string, same bool) {
	tro := policy.TokenRequestOptions{Scopes: c.scopes, EnableCAE: true}
	first, err := c.cred.GetToken(ctx, tro)
	if err != nil {
		check(false, "%s: token: %v", c.name, err)
		return
	}
	cred, client := c.cred, c.client
	how := "the same credential asked again"
	if !same {
		if cred, err = c.again(); err == nil {
			client, err = graphClient(cred, c.scopes, base)
		}
		if err != nil {
			check(false, "%s: renew: %v", c.name, err)
			return
		}
		how = "the credential built anew, its cache empty,"
	}
	next, err := cred.GetToken(ctx, tro)
	if err != nil {
		check(false, "%s: renew (%s): %v", c.name, how, err)
		return
	}
	if !check(next.Token != first.Token, "%s: renew: %s gets a new token, valid until %s", c.name, how, next.ExpiresOn.Format(time.TimeOnly)) {
		return
	}
	p, err := c.presence(ctx, client)
	check(err == nil && p.GetAvailability() != nil, "%s: Graph takes the renewed token (%v)", c.name, describe(err))
}

// describe spells out an ODataError, whose Error() says little.
func describe(err error) error {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		return fmt.Errorf("ODataError %d %s: %s", oe.ResponseStatusCode, str(oe.GetErrorEscaped().GetCode()), str(oe.GetErrorEscaped().GetMessage()))
	}
	return err
}

// readCertificate reads the app's certificate and key: by default the
// test pair the world file registers.
func readCertificate() (certPEM, keyPEM []byte, err error) {
	certFile, keyFile := os.Getenv(envCert), os.Getenv(envKey)
	if certFile == "" {
		certFile = filepath.FromSlash("../../../../fakes/entra/testdata/client-cert.pem")
	}
	if keyFile == "" {
		keyFile = filepath.FromSlash("../../../../fakes/entra/testdata/client-key.pem")
	}
	if certPEM, err = os.ReadFile(certFile); err != nil {
		return nil, nil, err
	}
	keyPEM, err = os.ReadFile(keyFile)
	return certPEM, keyPEM, err
}

// shortLived serves the world file in process with 4-minute tokens and
// runs the renewal checks against it in a child, which trusts that
// server's CA through SSL_CERT_FILE as it did the first. The server
// records the grants, so that the password credential is seen to renew
// with its refresh token rather than the password.
func shortLived() {
	worldFile := os.Getenv(envWorld)
	if worldFile == "" {
		worldFile = filepath.FromSlash("../world.json")
	}
	wf, err := served.LoadWorldFile(worldFile)
	if err != nil {
		check(false, "4-minute tokens: %v", err)
		return
	}
	wf.Start = "now"
	ca, err := certs.NewCA("presencesim clients check")
	if err != nil {
		check(false, "4-minute tokens: %v", err)
		return
	}
	var rec grants
	srv, err := served.NewServer(wf, served.Options{CA: ca, Entra: entra.Options{Lifetime: 4 * time.Minute}, Wrap: rec.wrap})
	if err != nil {
		check(false, "4-minute tokens: %v", err)
		return
	}
	defer srv.Close()
	caFile := filepath.Join(os.TempDir(), fmt.Sprintf("presencesim-clients-ca-%d.pem", os.Getpid()))
	if err := ca.WriteFile(caFile); err != nil {
		check(false, "4-minute tokens: %v", err)
		return
	}
	defer os.Remove(caFile)
	out, err := child("short", envURL+"="+srv.URL, "SSL_CERT_FILE="+caFile)
	check(err == nil, "a child with 4-minute tokens renews every credential (%v):\n%s", err, indent(out))
	g := rec.counts()
	// The password is sent once; every renewal after it is the refresh token's.
	check(g["client_credentials secret"] >= 3 && g["client_credentials assertion"] >= 3 && g["password"] == 1 && g["refresh_token"] >= 2,
		"the token endpoint saw each credential renew: %v", g)
}

// grants counts the token requests a server answered, by grant type and,
// for client credentials, secret or assertion.
type grants struct {
	mu sync.Mutex
	n  map[string]int
}

func (g *grants) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if err == nil {
				r.Body = io.NopCloser(bytes.NewReader(body))
				f, _ := url.ParseQuery(string(body))
				kind := f.Get("grant_type")
				switch {
				case kind != "client_credentials":
				case f.Get("client_assertion") != "":
					kind += " assertion"
				default:
					kind += " secret"
				}
				g.mu.Lock()
				if g.n == nil {
					g.n = map[string]int{}
				}
				g.n[kind]++
				g.mu.Unlock()
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (g *grants) counts() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]int{}
	for k, v := range g.n {
		out[k] = v
	}
	return out
}

// viaProxy runs the connector that keeps Microsoft's host names in a
// child whose environment names the served process as its HTTPS proxy:
// Go reads HTTPS_PROXY once per process.
func viaProxy(base string, w *world) {
	app, err := w.app(appName)
	if err != nil {
		check(false, "HTTPS_PROXY: %v", err)
		return
	}
	out, err := child("proxied", "HTTPS_PROXY="+base, "NO_PROXY=",
		"AZURE_TENANT_ID="+w.Tenants[0].ID, "AZURE_CLIENT_ID="+app.AppID, "AZURE_CLIENT_SECRET="+app.ClientSecret,
		"PRESENCE_USER_ID="+w.user("bob").ID)
	check(err == nil, "a connector that keeps graph.microsoft.com and login.microsoftonline.com runs through HTTPS_PROXY=%s (%v):\n%s", base, err, indent(out))
}

// child runs this program again in a role, with env added to its own.
func child(role string, env ...string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(append(os.Environ(), envRole+"="+role), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}

// world is what GET /_presencesim/world tells a check.
type world struct {
	Tenants []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Users []user `json:"users"`
		Apps  []app  `json:"apps"`
	} `json:"tenants"`
}

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	UPN      string `json:"userPrincipalName"`
	Mail     string `json:"mail"`
	Password string `json:"password"`
}

type app struct {
	AppID        string `json:"appId"`
	DisplayName  string `json:"displayName"`
	ClientSecret string `json:"clientSecret"`
}

func fetchWorld(base string, client *http.Client) (*world, error) {
	resp, err := client.Get(base + "/_presencesim/world")
	if err != nil {
		var ua x509.UnknownAuthorityError
		if errors.As(err, &ua) {
			return nil, fmt.Errorf("%v: set SSL_CERT_FILE to the CA the server wrote", err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /_presencesim/world: %s", resp.Status)
	}
	var w world
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil {
		return nil, err
	}
	if len(w.Tenants) == 0 {
		return nil, errors.New("the world has no tenant")
	}
	return &w, nil
}

func (w *world) app(name string) (app, error) {
	for _, a := range w.Tenants[0].Apps {
		if a.DisplayName == name {
			return a, nil
		}
	}
	return app{}, fmt.Errorf("the world has no app %q: serve live/served/clients/world.json", name)
}

func (w *world) user(name string) user {
	for _, u := range w.Tenants[0].Users {
		if u.Name == name {
			return u
		}
	}
	return user{Name: name}
}
