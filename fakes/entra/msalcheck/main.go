// Command msalcheck runs the Microsoft Authentication Library for Go and
// azidentity, what a Go connector signs in with, against the Entra ID fake
// on a loopback TLS port: each credential and flow a presence connector
// uses, unchanged but for the authority host. Every request, Microsoft's
// instance discovery host included, reaches the fake, as through the
// served mode's HTTPS proxy.
//
// It lives in its own module so the main module does not carry the
// libraries: cd fakes/entra/msalcheck && go run .
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
)

var graphDefault = []string{"https://graph.microsoft.com/.default"}

type check struct {
	h      *entra.Handler
	client *http.Client
	// authority host of the fake, e.g. https://127.0.0.1:41234/
	host   string
	tenant entra.Tenant
	app    *entra.App
	failed int
}

func main() {
	w := sim.MustNew(1)
	for _, n := range []string{"alice", "carol"} {
		if _, err := w.AddUser(n, ""); err != nil {
			fatal(err)
		}
	}
	dir := entra.DirectoryOf(w)
	carol, _ := w.Teams.User("carol")
	dir.SetAccount(carol, entra.Account{Password: "carol-pw", MFA: true})
	app, err := dir.AddApp("contoso", "connector", []string{entra.PresenceReadAll, entra.PresenceReadWriteAll}, []string{entra.PresenceRead, entra.PresenceReadWrite})
	if err != nil {
		fatal(err)
	}
	dir.SetRedirectURIs(app, []string{"http://localhost"})
	certPEM, err := os.ReadFile("../testdata/client-cert.pem")
	if err != nil {
		fatal(err)
	}
	keyPEM, err := os.ReadFile("../testdata/client-key.pem")
	if err != nil {
		fatal(err)
	}
	if _, err := dir.AddCertificate(app, certPEM); err != nil {
		fatal(err)
	}
	lw, err := live.New(w, live.Clock{})
	if err != nil {
		fatal(err)
	}
	tenant := dir.Tenant("contoso")

	c := serve(entra.New(lw, entra.Options{}), tenant, app)
	short := serve(entra.New(lw, entra.Options{Lifetime: 4 * time.Minute}), tenant, app)
	ctx := context.Background()

	c.run("azidentity ClientSecretCredential, with instance discovery", func() (string, error) {
		cred, err := azidentity.NewClientSecretCredential(tenant.ID, app.AppID, app.Secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: c.clientOptions()})
		if err != nil {
			return "", err
		}
		return token(ctx, cred)
	})
	c.run("azidentity ClientSecretCredential, tenant by domain, no instance discovery", func() (string, error) {
		cred, err := azidentity.NewClientSecretCredential("contoso.onmicrosoft.com", app.AppID, app.Secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: c.clientOptions(), DisableInstanceDiscovery: true})
		if err != nil {
			return "", err
		}
		return token(ctx, cred)
	})
	c.refused("azidentity ClientSecretCredential with a wrong secret", "AADSTS7000215", func() error {
		cred, err := azidentity.NewClientSecretCredential(tenant.ID, app.AppID, "wrong", &azidentity.ClientSecretCredentialOptions{ClientOptions: c.clientOptions()})
		if err != nil {
			return err
		}
		_, err = token(ctx, cred)
		return err
	})
	certs, key, err := azidentity.ParseCertificates(append(append([]byte(nil), certPEM...), keyPEM...), nil)
	if err != nil {
		fatal(err)
	}
	for _, chain := range []bool{false, true} {
		c.run(fmt.Sprintf("azidentity ClientCertificateCredential (PS256, x5t#S256), x5c %v", chain), func() (string, error) {
			cred, err := azidentity.NewClientCertificateCredential(tenant.ID, app.AppID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: c.clientOptions(), SendCertificateChain: chain})
			if err != nil {
				return "", err
			}
			return token(ctx, cred)
		})
	}
	c.run("azidentity UsernamePasswordCredential (user realm, ROPC)", func() (string, error) {
		//lint:ignore SA1019 connectors that read presence as a presence account sign in this way
		cred, err := azidentity.NewUsernamePasswordCredential(tenant.ID, app.AppID, "alice@contoso.com", "alice-pw", &azidentity.UsernamePasswordCredentialOptions{ClientOptions: c.clientOptions()})
		if err != nil {
			return "", err
		}
		return token(ctx, cred, "Presence.Read")
	})
	c.run("azidentity UsernamePasswordCredential for Graph's .default", func() (string, error) {
		cred, err := azidentity.NewUsernamePasswordCredential("contoso.com", app.AppID, "alice@contoso.com", "alice-pw", &azidentity.UsernamePasswordCredentialOptions{ClientOptions: c.clientOptions()})
		if err != nil {
			return "", err
		}
		return token(ctx, cred)
	})
	c.refused("azidentity UsernamePasswordCredential for an account with MFA", "AADSTS50076", func() error {
		cred, err := azidentity.NewUsernamePasswordCredential(tenant.ID, app.AppID, "carol@contoso.com", "carol-pw", &azidentity.UsernamePasswordCredentialOptions{ClientOptions: c.clientOptions()})
		if err != nil {
			return err
		}
		_, err = token(ctx, cred, "Presence.Read")
		return err
	})

	pub, err := public.New(app.AppID, public.WithAuthority(short.host+tenant.ID), public.WithHTTPClient(short.client))
	if err != nil {
		fatal(err)
	}
	short.run("MSAL Go public client: ROPC, then a silent refresh with the refresh token", func() (string, error) {
		first, err := pub.AcquireTokenByUsernamePassword(ctx, []string{"Presence.Read"}, "alice@contoso.com", "alice-pw")
		if err != nil {
			return "", err
		}
		// The token expires within MSAL's five-minute margin: silent refreshes.
		next, err := pub.AcquireTokenSilent(ctx, []string{"Presence.Read"}, public.WithSilentAccount(first.Account))
		if err != nil {
			return "", err
		}
		if next.AccessToken == first.AccessToken {
			return "", errors.New("the silent call answered the cached token instead of refreshing it")
		}
		return next.AccessToken, nil
	})
	c.run("MSAL Go public client: device code", func() (string, error) {
		pub, err := public.New(app.AppID, public.WithAuthority(c.host+"contoso.com"), public.WithHTTPClient(c.client))
		if err != nil {
			return "", err
		}
		dc, err := pub.AcquireTokenByDeviceCode(ctx, []string{"Presence.Read"})
		if err != nil {
			return "", err
		}
		if dc.Result.VerificationURL == "" || !strings.Contains(dc.Result.Message, dc.Result.UserCode) {
			return "", fmt.Errorf("device code answer %+v", dc.Result)
		}
		go func() {
			time.Sleep(200 * time.Millisecond)
			resp, err := c.client.PostForm(dc.Result.VerificationURL, url.Values{"otc": {dc.Result.UserCode}, "login": {"carol@contoso.com"}, "passwd": {"carol-pw"}})
			if err == nil {
				resp.Body.Close()
			}
		}()
		res, err := dc.AuthenticationResult(ctx)
		return res.AccessToken, err
	})
	c.run("MSAL Go public client: interactive sign-in with PKCE at a loopback redirect", func() (string, error) {
		pub, err := public.New(app.AppID, public.WithAuthority(c.host+tenant.ID), public.WithHTTPClient(c.client))
		if err != nil {
			return "", err
		}
		res, err := pub.AcquireTokenInteractive(ctx, []string{"Presence.Read"}, public.WithRedirectURI("http://localhost"), public.WithOpenURL(c.browser("alice@contoso.com", "alice-pw")))
		return res.AccessToken, err
	})
	c.run("MSAL Go confidential client: authorization code with a secret", func() (string, error) {
		cred, err := confidential.NewCredFromSecret(app.Secret)
		if err != nil {
			return "", err
		}
		cca, err := confidential.New(c.host+tenant.ID, app.AppID, cred, confidential.WithHTTPClient(c.client))
		if err != nil {
			return "", err
		}
		u, err := cca.AuthCodeURL(ctx, app.AppID, "http://localhost:8400", []string{"Presence.Read"})
		if err != nil {
			return "", err
		}
		code, err := c.signIn(u, "alice@contoso.com", "alice-pw")
		if err != nil {
			return "", err
		}
		res, err := cca.AcquireTokenByAuthCode(ctx, code, "http://localhost:8400", []string{"Presence.Read"})
		return res.AccessToken, err
	})
	c.close()
	short.close()
	if c.failed+short.failed > 0 {
		fmt.Printf("%d checks failed\n", c.failed+short.failed)
		os.Exit(1)
	}
	fmt.Println("every check passed")
}

func serve(h *entra.Handler, t entra.Tenant, app *entra.App) *check {
	srv := httptest.NewTLSServer(h)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{
		// Whatever host a library asks for, the fake answers, with a
		// certificate the client trusts (the proxy's, in served mode).
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}
	c := &check{h: h, client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		host: "https://" + addr + "/", tenant: t, app: app}
	closers = append(closers, srv)
	return c
}

var closers []*httptest.Server

func (c *check) close() {
	for _, s := range closers {
		s.Close()
	}
	closers = nil
}

func (c *check) clientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: c.host}, Transport: c.client}
}

// within runs a check with a time limit, so one that hangs fails alone.
func within(fn func() (string, error)) (string, error) {
	type result struct {
		tok string
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := fn()
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-time.After(30 * time.Second):
		return "", errors.New("no answer within 30 s")
	}
}

func token(ctx context.Context, cred azcore.TokenCredential, scopes ...string) (string, error) {
	if len(scopes) == 0 {
		scopes = graphDefault
	}
	t, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
	return t.Token, err
}

// run checks a flow ends in an access token Graph accepts.
func (c *check) run(name string, fn func() (string, error)) {
	tok, err := within(fn)
	if err == nil {
		var cl *entra.Claims
		if cl, err = c.h.Verify(tok); err == nil {
			fmt.Printf("ok    %s: appid %s, roles %v, scp %q\n", name, cl.AppID, cl.Roles, cl.Scp)
			return
		}
	}
	c.failed++
	fmt.Printf("FAIL  %s: %v\n", name, err)
}

// refused checks a flow fails with the AADSTS code Entra ID answers.
func (c *check) refused(name, code string, fn func() error) {
	_, err := within(func() (string, error) { return "", fn() })
	if err != nil && strings.Contains(err.Error(), code) {
		fmt.Printf("ok    %s: refused with %s\n", name, code)
		return
	}
	c.failed++
	fmt.Printf("FAIL  %s: want %s, got %v\n", name, code, err)
}

// signIn plays the browser: it posts the credentials to the authorize URL
// and answers the code of the redirect.
func (c *check) signIn(authorize, login, password string) (string, error) {
	u, err := url.Parse(authorize)
	if err != nil {
		return "", err
	}
	form := u.Query()
	form.Set("login", login)
	form.Set("passwd", password)
	u.RawQuery = ""
	resp, err := c.client.PostForm(u.String(), form)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("sign-in answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), nil
}

// browser is an OpenURL for MSAL's interactive flow: it signs in and
// follows the redirect to MSAL's loopback listener.
func (c *check) browser(login, password string) func(string) error {
	return func(authorize string) error {
		go func() {
			u, _ := url.Parse(authorize)
			form := u.Query()
			form.Set("login", login)
			form.Set("passwd", password)
			u.RawQuery = ""
			resp, err := c.client.PostForm(u.String(), form)
			if err != nil {
				fmt.Println("browser:", err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var back *http.Response
			switch resp.StatusCode {
			case http.StatusFound:
				back, err = http.Get(resp.Header.Get("Location"))
			case http.StatusOK: // response_mode=form_post: the page posts the code back
				action, fields, ok := postBack(string(body))
				if !ok {
					fmt.Printf("browser: the sign-in answered a page without a code: %s\n", body)
					return
				}
				back, err = http.PostForm(action, fields)
			default:
				err = fmt.Errorf("the sign-in answered %d: %s", resp.StatusCode, body)
			}
			if err != nil {
				fmt.Println("browser:", err)
				return
			}
			back.Body.Close()
		}()
		return nil
	}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	formField  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// postBack reads the form a form_post page submits.
func postBack(page string) (string, url.Values, bool) {
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fields := url.Values{}
	for _, f := range formField.FindAllStringSubmatch(page, -1) {
		fields.Set(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), fields, fields.Get("code") != ""
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "msalcheck:", err)
	os.Exit(2)
}
