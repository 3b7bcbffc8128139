package graphtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Hosts the in-process client reaches.
const (
	GraphBase = "https://graph.microsoft.com"
	LoginBase = "https://login.microsoftonline.com"
)

// Client is a Graph client in process over a world: each app signs in
// for itself or as the user it acts as, and keeps its token until it
// expires on the world's clock, as SDKs do. It remembers the last answer,
// the last subscription created and the sequence numbers read, for the
// checks that follow a request. A Client is not safe for concurrent use.
type Client struct {
	H     *graph.Handler
	HTTP  *http.Client
	World *sim.World
	// Hooks are the webhooks the fake delivers to.
	Hooks Webhooks

	// User resolves a name the caller introduced; Duration reads the
	// durations of {now+…}.
	User     func(name string) (teams.UserID, error)
	Duration func(string) (time.Duration, error)

	// Last is the last answer; LastApp the app that asked last; LastSub
	// the id of the last subscription created.
	Last    *Response
	LastApp string
	LastSub string

	acting  map[string]string // app → user the app acts as ("" for itself)
	tokens  map[string]string // app|user → access token
	prevSeq map[string]string // object id → the sequenceNumber read before the last
	curSeq  map[string]string // object id → the sequenceNumber read last
}

// New returns a client of a Graph fake over w, on a manual clock: the
// world moves only when its owner says so. user resolves names (nil: the
// world's directory); duration reads the offsets of {now+…} (nil: Go
// durations).
func New(w *sim.World, user func(string) (teams.UserID, error), duration func(string) (time.Duration, error)) (*Client, error) {
	if user == nil {
		user = w.Teams.User
	}
	if duration == nil {
		duration = time.ParseDuration
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		return nil, err
	}
	c := &Client{World: w, Hooks: Webhooks{}, User: user, Duration: duration,
		acting: map[string]string{}, tokens: map[string]string{}, prevSeq: map[string]string{}, curSeq: map[string]string{}}
	c.H = graph.NewHandler(lw, graph.Options{Deliverer: graph.DeliverFunc(c.Hooks.Deliver), Sleep: func(time.Duration) {}})
	c.HTTP, _ = graph.NewClient(c.H)
	return c, nil
}

// App is the registered app of that name.
func (c *Client) App(name string) (*graph.App, error) { return c.H.Identity().App(name) }

// Forget drops the app's tokens, so it signs in again (after its
// permissions changed).
func (c *Client) Forget(app string) {
	for k := range c.tokens {
		if strings.HasPrefix(k, app+"|") {
			delete(c.tokens, k)
		}
	}
}

// ActAs makes the app act as the user (or as itself for "") from now on,
// and signs it in.
func (c *Client) ActAs(app, user string) error {
	if user != "" {
		if _, err := c.User(user); err != nil {
			return err
		}
	}
	c.acting[app] = user
	_, err := c.Token(app)
	return err
}

// UseToken makes tok the app's token for whom it acts as.
func (c *Client) UseToken(app, tok string) { c.tokens[app+"|"+c.acting[app]] = tok }

// SignIn runs the token request of the app: client_credentials with its
// secret (or a wrong one) for itself, the password grant as the user
// (with the user's password when password is empty).
func (c *Client) SignIn(app, user, password string, wrongSecret bool) (*Response, error) {
	a, err := c.App(app)
	if err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {a.AppID}, "scope": {"https://graph.microsoft.com/.default"}}
	if user == "" {
		form.Set("grant_type", "client_credentials")
		form.Set("client_secret", a.Secret)
		if wrongSecret {
			form.Set("client_secret", "not-the-secret")
		}
	} else {
		id, err := c.User(user)
		if err != nil {
			return nil, err
		}
		if password == "" {
			password = c.H.Identity().Account(id).Password
		}
		form.Set("grant_type", "password")
		form.Set("username", c.World.Teams.Dir(id).UPN)
		form.Set("password", password)
	}
	resp, err := c.HTTP.PostForm(LoginBase+"/"+c.World.Teams.Dir(0).Org+"/oauth2/v2.0/token", form)
	if err != nil {
		return nil, err
	}
	return ReadResponse("token request", resp)
}

// Token returns the app's access token for whom it acts as, signing in
// when it has none or the one it has has expired.
func (c *Client) Token(app string) (string, error) {
	user := c.acting[app]
	key := app + "|" + user
	if tok, ok := c.tokens[key]; ok && !Expired(tok, c.World.Clock.Now()) {
		return tok, nil
	}
	r, err := c.SignIn(app, user, "", false)
	if err != nil {
		return "", err
	}
	if r.Status != http.StatusOK {
		as := ""
		if user != "" {
			as = " as " + user
		}
		return "", fmt.Errorf("the Graph app %q could not sign in%s: %d %s", app, as, r.Status, r.Body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		return "", err
	}
	c.tokens[key] = out.AccessToken
	return out.AccessToken, nil
}

// Do sends a request as the app, with its token, and keeps the answer.
func (c *Client) Do(app, method, path, body string) error {
	c.LastApp = app
	tok, err := c.Token(app)
	if err != nil {
		return err
	}
	r, err := c.Send(app, method, path, body, "Bearer "+tok)
	if err != nil {
		return err
	}
	c.Record(r)
	return nil
}

// Send sends a Graph request with the Authorization header as given (none
// when empty), its path and body expanded for the app; it keeps nothing.
func (c *Client) Send(app, method, path, body, auth string) (*Response, error) {
	p, err := c.Expand(path, app)
	if err != nil {
		return nil, err
	}
	b, err := c.Expand(body, app)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, GraphBase+p, strings.NewReader(b))
	if err != nil {
		return nil, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if b != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	return ReadResponse(method+" "+p, resp)
}

// Login sends a GET (form nil) or a form POST to the identity platform and
// keeps the answer.
func (c *Client) Login(path string, form url.Values) error {
	var resp *http.Response
	var err error
	what := "GET " + path
	if form == nil {
		resp, err = c.HTTP.Get(LoginBase + path)
	} else {
		what = "POST " + path + " (" + form.Get("grant_type") + ")"
		resp, err = c.HTTP.PostForm(LoginBase+path, form)
	}
	if err != nil {
		return err
	}
	r, err := ReadResponse(what, resp)
	if err == nil {
		c.Last = r
	}
	return err
}

// Record keeps the answer, the subscription it created and the sequence
// numbers it shows.
func (c *Client) Record(r *Response) {
	c.Last = r
	if strings.HasPrefix(r.What, "POST /v1.0/subscriptions") && r.Status == http.StatusCreated {
		var sub struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(r.Body, &sub) == nil && sub.ID != "" {
			c.LastSub = sub.ID
		}
	}
	var one struct {
		ID       string `json:"id"`
		Sequence string `json:"sequenceNumber"`
		Value    []struct {
			ID       string `json:"id"`
			Sequence string `json:"sequenceNumber"`
		} `json:"value"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &one) != nil {
		return
	}
	if one.ID != "" && one.Sequence != "" {
		c.prevSeq[one.ID], c.curSeq[one.ID] = c.curSeq[one.ID], one.Sequence
	}
	for _, v := range one.Value {
		if v.Sequence != "" {
			c.prevSeq[v.ID], c.curSeq[v.ID] = c.curSeq[v.ID], v.Sequence
		}
	}
}

// Sequence is the sequenceNumber of the object read before the last read
// and at the last read ("" when not read).
func (c *Client) Sequence(oid string) (prev, cur string) { return c.prevSeq[oid], c.curSeq[oid] }

// Flush delivers what the fake has queued and what those deliveries queue
// in turn (a lifecycle notification after the last retry), as its delivery
// loop would; bounded, for retries wait on the world's clock.
func (c *Client) Flush() {
	for i := 0; i < 8 && c.H.Flush(context.Background()) > 0; i++ {
	}
}

// SignInWithKey runs the client_credentials grant authenticated by a
// client assertion signed with k, as MSAL builds it: RS256, x5t of the
// certificate, iss and sub the client id, aud the token endpoint, valid for
// 10 minutes on the token clock. It keeps the answer.
func (c *Client) SignInWithKey(app string, k *Key) error {
	a, err := c.App(app)
	if err != nil {
		return err
	}
	c.LastApp = app
	path := "/" + c.H.Identity().Tenant("").ID + "/oauth2/v2.0/token"
	now := c.H.Entra().Now().Unix()
	var jti [8]byte
	_, _ = rand.Read(jti[:])
	assertion, err := k.SignJWT(JWTPart(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": k.X5t}) + "." +
		JWTPart(map[string]any{"aud": LoginBase + path, "iss": a.AppID, "sub": a.AppID, "jti": fmt.Sprintf("%x", jti), "nbf": now, "exp": now + 600}))
	if err != nil {
		return err
	}
	return c.Login(path, url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
		"scope": {"https://graph.microsoft.com/.default"}})
}
