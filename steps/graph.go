package steps

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

var (
	gomegaBeNumerically  = gomega.BeNumerically
	gomegaConsistOf      = gomega.ConsistOf
	gomegaHaveOccurred   = gomega.HaveOccurred
	gomegaBeEmpty        = gomega.BeEmpty
	gomegaContainElement = gomega.ContainElement
	presenceParse        = presence.Parse
)

func init() { register("Microsoft Graph", 70, registerGraph) }

const graphMethods = `(GET|POST|PATCH|DELETE)`

func registerGraph(s *Scenario, r *registry) {
	r.step(`^the Graph app "([^"]+)" is registered with (application|delegated) permissions? (.+)$`,
		`the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All`, s.gRegister)
	r.step(`^Graph sign-in requires multi-factor authentication for (\w+)$`, "Graph sign-in requires multi-factor authentication for alice", s.gMFA)
	r.step(`^the Graph app "([^"]+)" acts as (\w+)$`, `the Graph app "connector" acts as alice`, s.gActAs)
	r.step(`^the Graph app "([^"]+)" tries to sign in as (\w+)(?: with the password "([^"]*)")?$`, `the Graph app "connector" tries to sign in as alice with the password "wrong"`, s.gTrySignIn)
	r.step(`^the Graph app "([^"]+)" tries to sign in with a wrong secret$`, `the Graph app "connector" tries to sign in with a wrong secret`, s.gWrongSecret)
	r.step(`^the sign-in is refused with (\w+) (AADSTS\d+)$`, "the sign-in is refused with invalid_grant AADSTS50076", s.gSignInRefused)
	r.step(`^the Graph token of "([^"]+)" carries the (roles|scopes) (.+)$`, `the Graph token of "connector" carries the roles Presence.Read.All`, s.gTokenCarries)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+)$`, `the Graph app "connector" GETs /v1.0/users/{alice}/presence`, s.gRequest)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) with:$`, `the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:`, s.gRequestBody)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) (\d+) times$`, `the Graph app "connector" GETs /v1.0/users/{alice}/presence 1501 times`, s.gRepeat)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) with the Authorization scheme "(\w+)"$`, `the Graph app "reader" GETs /v1.0/users/{alice}/presence with the Authorization scheme "bearer"`, s.gRequestScheme)
	r.step(`^a Graph client (`+strings.Join(gBadTokens, "|")+`) `+graphMethods+`s (\S+)$`, "a Graph client without a token GETs /v1.0/users/{alice}/presence", s.gBadToken)
	r.step(`^the (?:Graph|Entra ID) response status is (\d+)$`, "the Graph response status is 200", s.gStatus)
	r.step(`^the Graph response is the error (\d+) "([^"]+)"$`, `the Graph response is the error 403 "Forbidden"`, s.gErrorIs)
	r.step(`^in the (?:Graph|Entra ID) response, "([^"]+)" is (.+)$`, `in the Graph response, "availability" is "Busy"`, s.gFieldIs)
	r.step(`^in the (?:Graph|Entra ID) response, "([^"]+)" (starts with|contains|ends with) "(.*)"$`, `in the Graph response, "@odata.context" ends with "/presence/$entity"`, s.gFieldText)
	r.step(`^the Graph response has (\d+) presences?$`, "the Graph response has 2 presences", s.gCount)
	r.step(`^the Graph response has a Retry-After of (\d+) seconds?$`, "the Graph response has a Retry-After of 30 seconds", s.gRetryAfter)
	r.step(`^Graph reads (\w+) as (.+)$`, "Graph reads alice as Busy/InACall", s.gReads)
	r.step(`^the Graph sequenceNumber of (\w+) has (grown|not changed)$`, "the Graph sequenceNumber of alice has grown", s.gSequence)
	r.step(`^(\d+) of those requests were answered (\d+)$`, "1500 of those requests were answered 200", s.gBatchCount)
	r.step(`^the Graph limit is (\d+) requests? per (.+)$`, "the Graph limit is 1 request per 30 seconds", s.gfLimit)
	r.step(`^the Graph fake answers (\d+)% of requests with ([\d, or]+?)(?: and a Retry-After of (.+))?$`, "the Graph fake answers 100% of requests with 503", s.gfFaults)
	r.step(`^the Graph fake stops injecting faults$`, "the Graph fake stops injecting faults", s.gfNoFaults)
	r.step(`^the Graph journal has (\d+) requests? by "([^"]+)"(?: answered (\d+))?$`, `the Graph journal has 2 requests by "connector" answered 200`, s.gJournalCount)
	r.step(`^the Graph journal's last request is `+graphMethods+` (\S+) by "([^"]+)"(?: as (\w+))? answered (\d+)$`, `the Graph journal's last request is GET /v1.0/me/presence by "connector" as alice answered 200`, s.gJournalLast)
	r.step(`^a webhook listens at (\S+)$`, "a webhook listens at https://hooks.example.com/presence", s.gHook)
	r.step(`^the webhook at (\S+) answers (validation requests|notifications) with (\d+)$`, "the webhook at https://hooks.example.com/presence answers notifications with 500", s.gHookAnswers)
	r.step(`^the webhook at (\S+) echoes a different validation token$`, "the webhook at https://hooks.example.com/presence echoes a different validation token", s.gHookWrongToken)
	r.step(`^the webhook at (\S+) takes (.+) to answer$`, "the webhook at https://hooks.example.com/presence takes 4 seconds to answer", s.gHookSlow)
	r.step(`^the webhook at (\S+) has received (\d+) notifications?(?: about (\w+))?$`, "the webhook at https://hooks.example.com/presence has received 1 notification about alice", s.gHookReceived)
	r.step(`^the webhook at (\S+) has received a lifecycle notification "(\w+)"$`, `the webhook at https://hooks.example.com/presence has received a lifecycle notification "reauthorizationRequired"`, s.gHookLifecycle)
	r.step(`^in the latest notification at (\S+), "([^"]+)" is (.+)$`, `in the latest notification at https://hooks.example.com/presence, "value[0].resourceData.id" is "{alice}"`, s.gNoteField)
}

// gState is the Graph group's per-scenario state.
type gState struct {
	h       *graph.Handler
	client  *http.Client
	acting  map[string]string // app → user the app acts as ("" for itself)
	tokens  map[string]string // app|user → access token
	last    *gResp
	batch   []int
	hooks   map[string]*gWebhook
	lastSub string
	lastApp string
	prevSeq map[string]string
	curSeq  map[string]string
}

type gResp struct {
	what   string
	status int
	body   []byte
	header http.Header
}

type gWebhook struct {
	validationStatus int
	notifyStatus     int
	wrongToken       bool
	delay            time.Duration
	received         [][]byte
	lifecycle        []string
}

func (s *Scenario) graph() *gState {
	return Ext(s, "graph", func() *gState {
		st := &gState{acting: map[string]string{}, tokens: map[string]string{}, hooks: map[string]*gWebhook{}, prevSeq: map[string]string{}, curSeq: map[string]string{}}
		// The in-process client serves each request on the step's own
		// goroutine, so the steps may read the world between requests.
		lw, err := live.New(s.world, live.Clock{Manual: true})
		if err != nil {
			panic(err) // a manual clock has no settings to refuse
		}
		st.h = graph.NewHandler(lw, graph.Options{Deliverer: graph.DeliverFunc(st.deliver), Sleep: func(time.Duration) {}})
		st.client, _ = graph.NewClient(st.h)
		return st
	})
}

// deliver is the in-process subscriber side: the webhooks the scenario
// declared, by URL without query.
func (st *gState) deliver(ctx context.Context, d graph.Delivery) (graph.Reply, error) {
	u, err := url.Parse(d.URL)
	if err != nil {
		return graph.Reply{}, err
	}
	token := u.Query().Get("validationToken")
	u.RawQuery = ""
	hk := st.hooks[u.String()]
	if hk == nil {
		return graph.Reply{}, fmt.Errorf("dial %s: connection refused (no webhook listens there)", u.Host)
	}
	if dl, ok := ctx.Deadline(); ok && hk.delay > 0 && hk.delay >= time.Until(dl) {
		return graph.Reply{}, context.DeadlineExceeded
	}
	if d.Validation {
		if hk.wrongToken {
			token = url.QueryEscape(token)
		}
		return graph.Reply{Status: hk.validationStatus, ContentType: "text/plain; charset=utf-8", Body: []byte(token)}, nil
	}
	var p graph.NotificationPayload
	if json.Unmarshal(d.Body, &p) == nil && len(p.Value) > 0 && p.Value[0].LifecycleEvent != "" {
		hk.lifecycle = append(hk.lifecycle, p.Value[0].LifecycleEvent)
	} else {
		hk.received = append(hk.received, d.Body)
	}
	return graph.Reply{Status: hk.notifyStatus}, nil
}

func gSplitList(s string) []string {
	if strings.TrimSpace(s) == "none" {
		return nil
	}
	return splitNames(s)
}

func (s *Scenario) gRegister(app, kind, perms string) error {
	st := s.graph()
	id := st.h.Identity()
	list := gSplitList(perms)
	a, err := id.App(app)
	if err != nil {
		roles, scopes := list, []string(nil)
		if kind == "delegated" {
			roles, scopes = nil, list
		}
		_, err = id.AddApp("", app, roles, scopes)
		return err
	}
	if kind == "application" {
		err = id.SetPermissions(a, list, a.Scopes)
	} else {
		err = id.SetPermissions(a, a.Roles, list)
	}
	for k := range st.tokens {
		if strings.HasPrefix(k, app+"|") {
			delete(st.tokens, k)
		}
	}
	return err
}

func (s *Scenario) gMFA(name string) error {
	st := s.graph()
	id, err := s.user(name)
	if err != nil {
		return err
	}
	acc := st.h.Identity().Account(id)
	acc.MFA = true
	st.h.Identity().SetAccount(id, acc)
	return nil
}

func (s *Scenario) gApp(name string) (*graph.App, error) {
	st := s.graph()
	return st.h.Identity().App(name)
}

// signIn runs the token request of the app, for itself or as the user.
func (s *Scenario) gSignIn(app, user, password string, wrongSecret bool) (*gResp, error) {
	st := s.graph()
	a, err := s.gApp(app)
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
		id, err := s.user(user)
		if err != nil {
			return nil, err
		}
		d := s.world.Teams.Dir(id)
		if password == "" {
			password = st.h.Identity().Account(id).Password
		}
		form.Set("grant_type", "password")
		form.Set("username", d.UPN)
		form.Set("password", password)
	}
	resp, err := st.client.PostForm("https://login.microsoftonline.com/"+s.world.Teams.Dir(0).Org+"/oauth2/v2.0/token", form)
	if err != nil {
		return nil, err
	}
	return gReadResp("token request", resp)
}

func gReadResp(what string, resp *http.Response) (*gResp, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &gResp{what: what, status: resp.StatusCode, body: b, header: resp.Header}, nil
}

// token returns the app's access token for whom it acts as, signing in
// when it has none or the one it has has expired (as SDKs do).
func (s *Scenario) gToken(app string) (string, error) {
	st := s.graph()
	user := st.acting[app]
	key := app + "|" + user
	if tok, ok := st.tokens[key]; ok && !gExpired(tok, s.world.Clock.Now()) {
		return tok, nil
	}
	r, err := s.gSignIn(app, user, "", false)
	if err != nil {
		return "", err
	}
	if r.status != http.StatusOK {
		return "", fmt.Errorf("the Graph app %q could not sign in%s: %d %s", app, gAsUser(user), r.status, r.body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return "", err
	}
	st.tokens[key] = out.AccessToken
	return out.AccessToken, nil
}

func gAsUser(u string) string {
	if u == "" {
		return ""
	}
	return " as " + u
}

func gClaimsOf(tok string) (graph.Claims, error) {
	var c graph.Claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errors.New("the token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

func gExpired(tok string, now clock.Time) bool {
	c, err := gClaimsOf(tok)
	return err != nil || now.Wall().Unix() >= c.Exp
}

func (s *Scenario) gActAs(app, user string) error {
	st := s.graph()
	if user == "itself" {
		st.acting[app] = ""
	} else {
		if _, err := s.user(user); err != nil {
			return err
		}
		st.acting[app] = user
	}
	_, err := s.gToken(app)
	return err
}

func (s *Scenario) gTrySignIn(app, user, password string) error {
	r, err := s.gSignIn(app, user, password, false)
	if err == nil {
		s.graph().last = r
	}
	return err
}

func (s *Scenario) gWrongSecret(app string) error {
	r, err := s.gSignIn(app, "", "", true)
	if err == nil {
		s.graph().last = r
	}
	return err
}

func (s *Scenario) gLast() (*gResp, error) {
	if r := s.graph().last; r != nil {
		return r, nil
	}
	return nil, errors.New("no Graph request was made yet in this scenario")
}

func (s *Scenario) gSignInRefused(code, aadsts string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var body entra.OAuthError
	jerr := json.Unmarshal(r.body, &body)
	n, _ := strconv.Atoi(strings.TrimPrefix(aadsts, "AADSTS"))
	return Check(func() string { return fmt.Sprintf("the token endpoint answered %d %s", r.status, r.body) }, func(g gomegaG) {
		g.Expect(r.status == http.StatusBadRequest || r.status == http.StatusUnauthorized).To(equal(true), fmt.Sprintf("a refused sign-in answers 400 or 401 (G-ID-2), not %d", r.status))
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON (G-ID-2)")
		g.Expect(body.Error).To(equal(code), "the OAuth error code")
		g.Expect(body.Description).To(hasPrefix(aadsts+":"), "the AADSTS code a real tenant gives")
		g.Expect(body.ErrorCodes).To(equal([]int{n}), "error_codes names the AADSTS number (G-ID-2)")
		g.Expect(body.Timestamp).NotTo(gomegaBeEmpty(), "timestamp (G-ID-2)")
		g.Expect(body.TraceID).NotTo(gomegaBeEmpty(), "trace_id (G-ID-2)")
		g.Expect(body.CorrelationID).NotTo(gomegaBeEmpty(), "correlation_id (G-ID-2)")
	})
}

func (s *Scenario) gTokenCarries(app, kind, list string) error {
	tok, err := s.gToken(app)
	if err != nil {
		return err
	}
	c, err := gClaimsOf(tok)
	if err != nil {
		return err
	}
	want := gSplitList(list)
	got := c.Roles
	if kind == "scopes" {
		got = strings.Fields(c.Scp)
	}
	return Check(func() string { return fmt.Sprintf("the token's claims: %+v", c) }, func(g gomegaG) {
		g.Expect(got).To(gomegaConsistOf(want), "the token's "+kind)
	})
}

var gPlaceholderRe = regexp.MustCompile(`\{([\w:+.,\- ]+)\}`)

// expand replaces {alice} by alice's object id, {upn:alice} by her user
// principal name, {password:alice} by her password, {app} by the calling
// app's id, {app:name} by another app's id, {secret} and {secret:name} by
// an app's client secret, {sub} by the last subscription's id, {now+30m}
// by the date-time 30 minutes from now, {ids:651} by that many distinct
// quoted GUIDs, {tenant} by the tenant id and {refresh_token} by the
// refresh token of the last answer. {tenantid} stays as it is: it is
// Entra ID's own placeholder in the documents of common and organizations.
func (s *Scenario) gExpand(in, app string) (string, error) {
	st := s.graph()
	var err error
	out := gPlaceholderRe.ReplaceAllStringFunc(in, func(m string) string {
		key := m[1 : len(m)-1]
		switch {
		case key == "tenantid":
			return m
		case gRichPlaceholder(key):
			v, e := gRichExpand(key)
			if e != nil {
				err = e
			}
			return v
		case key == "app" || strings.HasPrefix(key, "app:") || key == "secret" || strings.HasPrefix(key, "secret:"):
			kind, name, _ := strings.Cut(key, ":")
			if name == "" {
				name = app
			}
			if name == "" {
				name = st.lastApp
			}
			a, e := s.gApp(name)
			if e != nil {
				err = e
				return m
			}
			if kind == "secret" {
				return a.Secret
			}
			return a.AppID
		case key == "refresh_token":
			var last struct {
				RefreshToken string `json:"refresh_token"`
			}
			if st.last != nil {
				_ = json.Unmarshal(st.last.body, &last)
			}
			if last.RefreshToken == "" {
				err = errors.New("{refresh_token}: the last answer holds no refresh_token (ask for offline_access)")
			}
			return last.RefreshToken
		case strings.HasPrefix(key, "upn:") || strings.HasPrefix(key, "password:"):
			kind, name, _ := strings.Cut(key, ":")
			id, e := s.user(name)
			if e != nil {
				err = fmt.Errorf("placeholder %s: %w", m, e)
				return m
			}
			if kind == "password" {
				return st.h.Identity().Account(id).Password
			}
			return s.world.Teams.Dir(id).UPN
		case key == "sub":
			if st.lastSub == "" {
				err = errors.New("{sub}: no subscription was created yet")
			}
			return st.lastSub
		case key == "tenant":
			return st.h.Identity().Tenant("").ID
		case strings.HasPrefix(key, "now"):
			d := time.Duration(0)
			if rest := strings.TrimSpace(key[3:]); rest != "" {
				sign := 1
				if rest[0] == '-' {
					sign = -1
				}
				dd, e := ParseDuration(strings.TrimSpace(rest[1:]))
				if e != nil {
					err = e
					return m
				}
				d = time.Duration(sign) * dd
			}
			return s.world.Clock.Now().Add(d).Wall().Format(time.RFC3339)
		case strings.HasPrefix(key, "ids:") || strings.HasPrefix(key, "filter-ids:"):
			quote := `"`
			if key[0] == 'f' {
				quote = "'"
			}
			n, e := strconv.Atoi(key[strings.IndexByte(key, ':')+1:])
			if e != nil || n < 0 || n > 100000 {
				err = fmt.Errorf("%s: write {ids:N} with a count", m)
				return m
			}
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("%s%08x-0000-4000-8000-%012x%s", quote, i, i, quote)
			}
			return strings.Join(ids, ",")
		}
		id, e := s.user(key)
		if e != nil {
			err = fmt.Errorf("placeholder %s: %w; placeholders are {user}, {upn:user}, {password:user}, {app}, {app:name}, {secret}, {secret:name}, {sub}, {tenant}, {refresh_token}, {now+30m}, {ids:N}", m, e)
			return m
		}
		return s.world.Teams.Dir(id).ID
	})
	return out, err
}

func (s *Scenario) gRequest(app, method, path string) error { return s.gDo(app, method, path, "") }

func (s *Scenario) gRequestBody(app, method, path string, body *godog.DocString) error {
	return s.gDo(app, method, path, body.Content)
}

func (s *Scenario) gDo(app, method, path, body string) error {
	s.graph().lastApp = app
	tok, err := s.gToken(app)
	if err != nil {
		return err
	}
	r, err := s.gSend(app, method, path, body, tok)
	if err != nil {
		return err
	}
	s.gRecord(r)
	return nil
}

func (s *Scenario) gSend(app, method, path, body, tok string) (*gResp, error) {
	auth := ""
	if tok != "" {
		auth = "Bearer " + tok
	}
	return s.gSendAuth(app, method, path, body, auth)
}

// gSendAuth sends a Graph request with the Authorization header as given
// (none when empty).
func (s *Scenario) gSendAuth(app, method, path, body, auth string) (*gResp, error) {
	st := s.graph()
	p, err := s.gExpand(path, app)
	if err != nil {
		return nil, err
	}
	b, err := s.gExpand(body, app)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, "https://graph.microsoft.com"+p, strings.NewReader(b))
	if err != nil {
		return nil, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if b != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := st.client.Do(req)
	if err != nil {
		return nil, err
	}
	return gReadResp(method+" "+p, resp)
}

// record keeps the response and the sequence numbers it shows.
func (s *Scenario) gRecord(r *gResp) {
	st := s.graph()
	st.last = r
	if strings.HasPrefix(r.what, "POST /v1.0/subscriptions") && r.status == http.StatusCreated {
		var sub struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(r.body, &sub) == nil && sub.ID != "" {
			st.lastSub = sub.ID
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
	if r.status != http.StatusOK || json.Unmarshal(r.body, &one) != nil {
		return
	}
	if one.ID != "" && one.Sequence != "" {
		st.prevSeq[one.ID], st.curSeq[one.ID] = st.curSeq[one.ID], one.Sequence
	}
	for _, v := range one.Value {
		if v.Sequence != "" {
			st.prevSeq[v.ID], st.curSeq[v.ID] = st.curSeq[v.ID], v.Sequence
		}
	}
}

func (s *Scenario) gRepeat(app, method, path string, n int) error {
	st := s.graph()
	tok, err := s.gToken(app)
	if err != nil {
		return err
	}
	st.batch = st.batch[:0]
	for i := 0; i < n; i++ {
		r, err := s.gSend(app, method, path, "", tok)
		if err != nil {
			return err
		}
		st.batch = append(st.batch, r.status)
		s.gRecord(r)
	}
	return nil
}

func (s *Scenario) gBatchCount(n, status int) error {
	st := s.graph()
	got := 0
	for _, c := range st.batch {
		if c == status {
			got++
		}
	}
	return Check(func() string {
		return fmt.Sprintf("statuses of the %d requests: %v", len(st.batch), gSummarise(st.batch))
	}, func(g gomegaG) {
		g.Expect(got).To(equal(n), fmt.Sprintf("requests answered %d", status))
	})
}

func gSummarise(st []int) map[int]int {
	m := map[int]int{}
	for _, c := range st {
		m[c]++
	}
	return m
}

// gBadTokens are the tokens a Graph client may present that Graph must
// refuse (G-AUTH-1, G-TLS-1). Each but the first two is a token the
// identity platform would issue, changed in one respect only.
var gBadTokens = []string{"without a token", "with a forged token", "with an expired token", "with a token of alg none",
	"with an HS256 token", "with a token signed by another key", "with a token of an unpublished key",
	"with a token of another tenant", "with a token from before the world was reset"}

func (s *Scenario) gBadToken(kind, method, path string) error {
	tok, err := s.gBadTokenOf(kind)
	if err != nil {
		return err
	}
	r, err := s.gSend("", method, path, "", tok)
	if err != nil {
		return err
	}
	s.gRecord(r)
	return nil
}

func (s *Scenario) gBadTokenOf(kind string) (string, error) {
	st := s.graph()
	switch kind {
	case "without a token":
		return "", nil
	case "with a forged token":
		return "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJyb2xlcyI6WyJQcmVzZW5jZS5SZWFkLkFsbCJdfQ.c2lnbmF0dXJl", nil
	}
	apps := st.h.Identity().Apps()
	if len(apps) == 0 {
		return "", errors.New(`register a Graph app first, e.g. "Given the Graph app "reader" is registered with application permissions Presence.Read.All"`)
	}
	a, now, e := apps[0], s.world.Clock.Now().Wall(), st.h.Entra()
	switch kind {
	case "with an expired token":
		return e.IssueAppToken(a, now.Add(-2*time.Hour)), nil
	case "with a token of another tenant":
		other := *a
		other.Tenant = "7d1c6a52-9e0f-4b3a-8c6d-0e1f2a3b4c5d" // no tenant of this directory
		return e.IssueAppToken(&other, now), nil
	case "with a token from before the world was reset":
		// A reset serves a new live world over a directory built from the
		// same file: the ids repeat and only the world's instance tells the
		// tokens apart. Another live world over this directory is that.
		lw, err := live.New(s.world, live.Clock{Manual: true})
		if err != nil {
			return "", err
		}
		return entra.New(lw, entra.Options{WorldTime: true, Keys: e.Keys()}).IssueAppToken(a, now), nil
	}
	genuine := strings.Split(e.IssueAppToken(a, now), ".")
	var hdr struct {
		Kid string `json:"kid"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(genuine[0]); err != nil || json.Unmarshal(b, &hdr) != nil {
		return "", fmt.Errorf("the identity platform's token has no readable header: %s", genuine[0])
	}
	key, err := stepKey(0)
	if err != nil {
		return "", err
	}
	switch kind {
	case "with a token of alg none":
		return jwtPart(map[string]string{"typ": "JWT", "alg": "none"}) + "." + genuine[1] + ".", nil
	case "with an HS256 token":
		// the classic confusion: an HMAC keyed with the published key
		keys := e.Keys().JWKS()
		mac := hmac.New(sha256.New, []byte(keys[len(keys)-1].X5c[0]))
		signed := jwtPart(map[string]string{"typ": "JWT", "alg": "HS256", "kid": hdr.Kid}) + "." + genuine[1]
		mac.Write([]byte(signed))
		return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
	case "with a token signed by another key":
		return key.signJWT(genuine[0] + "." + genuine[1])
	default: // with a token of an unpublished key
		return key.signJWT(jwtPart(map[string]string{"typ": "JWT", "alg": "RS256", "kid": key.x5t, "x5t": key.x5t}) + "." + genuine[1])
	}
}

func (s *Scenario) gRequestScheme(app, method, path, scheme string) error {
	s.graph().lastApp = app
	tok, err := s.gToken(app)
	if err != nil {
		return err
	}
	r, err := s.gSendAuth(app, method, path, "", scheme+" "+tok)
	if err != nil {
		return err
	}
	s.gRecord(r)
	return nil
}

func (s *Scenario) gWhy(r *gResp) func() string {
	return func() string { return fmt.Sprintf("%s answered %d:\n%s", r.what, r.status, r.body) }
}

func (s *Scenario) gStatus(status int) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	return Check(s.gWhy(r), func(g gomegaG) { g.Expect(r.status).To(equal(status), "the HTTP status") })
}

func (s *Scenario) gErrorIs(status int, code string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var eb graph.ErrorBody
	jerr := json.Unmarshal(r.body, &eb)
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(r.status).To(equal(status), "the HTTP status")
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON (G-ERR-1)")
		g.Expect(eb.Error.Code).To(equal(code), "error.code (G-ERR-1)")
		g.Expect(eb.Error.Message).NotTo(gomegaBeEmpty(), "error.message (G-ERR-1)")
		g.Expect(eb.Error.InnerError.RequestID).To(equal(r.header.Get("request-id")), "innerError.request-id matches the request-id header (G-ERR-1)")
		g.Expect(eb.Error.InnerError.ClientRequestID).NotTo(gomegaBeEmpty(), "innerError.client-request-id (G-ERR-1)")
		_, derr := time.Parse("2006-01-02T15:04:05", eb.Error.InnerError.Date)
		g.Expect(derr).NotTo(gomegaHaveOccurred(), "innerError.date is a date-time (G-ERR-1)")
	})
}

// gLookupJSON follows a path such as "value[0].availability" or
// "@odata.context" (keys may contain dots) into decoded JSON.
func gLookupJSON(v any, path string) (any, bool) {
	for path != "" {
		switch cur := v.(type) {
		case map[string]any:
			found := false
			// the longest key that prefixes the path wins
			for end := len(path); end > 0; end-- {
				if end < len(path) && path[end] != '.' && path[end] != '[' {
					continue
				}
				if x, ok := cur[path[:end]]; ok {
					v, path, found = x, strings.TrimPrefix(path[end:], "."), true
					break
				}
			}
			if !found {
				return nil, false
			}
		case []any:
			if path[0] != '[' {
				return nil, false
			}
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			i, err := strconv.Atoi(path[1:end])
			if err != nil || i < 0 || i >= len(cur) {
				return nil, false
			}
			v, path = cur[i], strings.TrimPrefix(path[end+1:], ".")
		default:
			return nil, false
		}
	}
	return v, true
}

func (s *Scenario) gFieldCheck(body []byte, why func() string, field, want string) error {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return Check(why, func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), "the body is JSON") })
	}
	got, ok := gLookupJSON(doc, field)
	switch strings.TrimSpace(want) {
	case "absent":
		return Check(why, func(g gomegaG) {
			g.Expect(ok).To(equal(false), fmt.Sprintf("%q is absent, but it is %v", field, gJsonText(got)))
		})
	case "present":
		return Check(why, func(g gomegaG) { g.Expect(ok).To(equal(true), fmt.Sprintf("the body has %q", field)) })
	}
	exp, err := s.gExpand(want, "")
	if err != nil {
		return err
	}
	var wantV any
	if err := json.Unmarshal([]byte(exp), &wantV); err != nil {
		return fmt.Errorf("expected value %s is not a JSON literal: write \"Busy\", null, true or 3, or the word absent or present", want)
	}
	return Check(why, func(g gomegaG) {
		g.Expect(ok).To(equal(true), fmt.Sprintf("the body has %q", field))
		g.Expect(reflect.DeepEqual(got, wantV)).To(equal(true), fmt.Sprintf("%q is %v, expected %v", field, gJsonText(got), exp))
	})
}

func gJsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Scenario) gFieldIs(field, want string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	return s.gFieldCheck(r.body, s.gWhy(r), field, want)
}

func (s *Scenario) gFieldText(field, how, want string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var doc any
	_ = json.Unmarshal(r.body, &doc)
	got, ok := gLookupJSON(doc, field)
	str, isStr := got.(string)
	want, err = s.gExpand(want, "")
	if err != nil {
		return err
	}
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(ok && isStr).To(equal(true), fmt.Sprintf("the body has the string %q", field))
		switch how {
		case "starts with":
			g.Expect(str).To(hasPrefix(want), field)
		case "contains":
			g.Expect(str).To(containSubstring(want), field)
		default:
			g.Expect(strings.HasSuffix(str, want)).To(equal(true), fmt.Sprintf("%q = %q ends with %q", field, str, want))
		}
	})
}

func (s *Scenario) gCount(n int) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var body struct {
		Value []json.RawMessage `json:"value"`
	}
	jerr := json.Unmarshal(r.body, &body)
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON")
		g.Expect(len(body.Value)).To(equal(n), "presences in value")
	})
}

func (s *Scenario) gRetryAfter(secs int) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(r.header.Get("Retry-After")).To(equal(strconv.Itoa(secs)), "the Retry-After header (G-THR-1)")
	})
}

// gReads reads the user's presence through Graph with a reader app of its
// own and compares it with the expected presence.
func (s *Scenario) gReads(name, want string) error {
	const reader = "presencesim reader"
	if _, err := s.gApp(reader); err != nil {
		if err := s.gRegister(reader, "application", graph.PresenceReadAll); err != nil {
			return err
		}
	}
	if err := s.gDo(reader, http.MethodGet, "/v1.0/users/{"+name+"}/presence", ""); err != nil {
		return err
	}
	r := s.graph().last
	p, err := presenceParse(want)
	if err != nil {
		return err
	}
	var body struct {
		Availability string `json:"availability"`
		Activity     string `json:"activity"`
		OOF          struct {
			IsOutOfOffice bool `json:"isOutOfOffice"`
		} `json:"outOfOfficeSettings"`
	}
	_ = json.Unmarshal(r.body, &body)
	id, _ := s.user(name)
	why := func() string { return s.gWhy(r)() + "\n" + s.world.Teams.Explain(id).String() }
	return Check(why, func(g gomegaG) {
		g.Expect(r.status).To(equal(http.StatusOK), "the GET status")
		g.Expect(body.Availability+"/"+body.Activity).To(equal(p.Availability.String()+"/"+p.Activity.String()), "Graph's availability/activity")
		g.Expect(body.OOF.IsOutOfOffice).To(equal(p.OutOfOffice), "outOfOfficeSettings.isOutOfOffice")
	})
}

func (s *Scenario) gSequence(name, how string) error {
	st := s.graph()
	id, err := s.user(name)
	if err != nil {
		return err
	}
	oid := s.world.Teams.Dir(id).ID
	prev, cur := st.prevSeq[oid], st.curSeq[oid]
	if prev == "" {
		return fmt.Errorf("read %s's presence through Graph twice before comparing sequence numbers", name)
	}
	return Check(func() string { return fmt.Sprintf("previous read %q, latest read %q", prev, cur) }, func(g gomegaG) {
		if how == "grown" {
			g.Expect(cur > prev).To(equal(true), "the sequenceNumber grows lexicographically with every change (G-GET-1)")
		} else {
			g.Expect(cur).To(equal(prev), "the sequenceNumber stays when nothing changed (G-GET-1)")
		}
	})
}

func (s *Scenario) gJournalCount(n int, app string, status string) error {
	st := s.graph()
	es := st.h.Journal.Filter(func(e graph.Entry) bool {
		return e.App == app && !strings.HasSuffix(e.Path, "/token") && (status == "" || strconv.Itoa(e.Status) == status)
	})
	return Check(func() string { return gJournalText(st.h.Journal.Entries()) }, func(g gomegaG) {
		g.Expect(len(es)).To(equal(n), "journal entries")
	})
}

func gJournalText(es []graph.Entry) string {
	var b strings.Builder
	b.WriteString("journal:\n")
	for _, e := range es {
		fmt.Fprintf(&b, "  %s %s %s app=%q user=%q target=%q → %d %s\n", e.At, e.Method, e.Path, e.App, e.User, e.Target, e.Status, e.Fault)
	}
	return b.String()
}

func (s *Scenario) gJournalLast(method, path, app, user string, status int) error {
	st := s.graph()
	p, err := s.gExpand(path, app)
	if err != nil {
		return err
	}
	var last *graph.Entry
	for _, e := range st.h.Journal.Entries() {
		if !strings.HasSuffix(e.Path, "/token") {
			e := e
			last = &e
		}
	}
	if last == nil {
		return errors.New("the journal has no Graph request")
	}
	return Check(func() string { return gJournalText(st.h.Journal.Entries()) }, func(g gomegaG) {
		g.Expect(last.Method+" "+last.Path).To(equal(method+" "+p), "method and path")
		g.Expect(last.App).To(equal(app), "the calling app")
		g.Expect(last.User).To(equal(user), "the signed-in user")
		g.Expect(last.Status).To(equal(status), "the status")
	})
}

func (s *Scenario) gHookOf(u string) (*gWebhook, error) {
	hk := s.graph().hooks[u]
	if hk == nil {
		return nil, fmt.Errorf("no webhook listens at %s; add \"a webhook listens at %s\"", u, u)
	}
	return hk, nil
}

func (s *Scenario) gHook(u string) error {
	if _, err := url.ParseRequestURI(u); err != nil {
		return err
	}
	s.graph().hooks[u] = &gWebhook{validationStatus: 200, notifyStatus: 202}
	return nil
}

func (s *Scenario) gHookAnswers(u, what string, status int) error {
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	if what == "notifications" {
		hk.notifyStatus = status
	} else {
		hk.validationStatus = status
	}
	return nil
}

func (s *Scenario) gHookWrongToken(u string) error {
	hk, err := s.gHookOf(u)
	if err == nil {
		hk.wrongToken = true
	}
	return err
}

func (s *Scenario) gHookSlow(u, d string) error {
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	hk.delay, err = ParseDuration(d)
	return err
}

// flush delivers what the fake has queued and what those deliveries
// queue in turn (a lifecycle notification after the last retry), as its
// delivery loop would; bounded, for retries wait on the world's clock.
func (s *Scenario) gFlush() {
	for i := 0; i < 8 && s.graph().h.Flush(context.Background()) > 0; i++ {
	}
}

func (s *Scenario) gNoticesWhy() func() string {
	return func() string {
		var b strings.Builder
		b.WriteString("delivery attempts:\n")
		for _, n := range s.graph().h.Notices() {
			fmt.Fprintf(&b, "  %s %s %s user=%s attempt %d → %d %s %s\n", n.At, n.Kind, n.URL, n.User, n.Attempt, n.Status, n.Outcome, n.Error)
		}
		return b.String()
	}
}

func (s *Scenario) gHookReceived(u string, n int, about string) error {
	s.gFlush()
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	got := 0
	oid := ""
	if about != "" {
		id, err := s.user(about)
		if err != nil {
			return err
		}
		oid = s.world.Teams.Dir(id).ID
	}
	for _, b := range hk.received {
		var p graph.NotificationPayload
		if json.Unmarshal(b, &p) != nil {
			continue
		}
		for _, v := range p.Value {
			if oid == "" || (v.ResourceData != nil && v.ResourceData.ID == oid) {
				got++
			}
		}
	}
	return Check(s.gNoticesWhy(), func(g gomegaG) { g.Expect(got).To(equal(n), "notifications received") })
}

func (s *Scenario) gHookLifecycle(u, event string) error {
	s.gFlush()
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	return Check(s.gNoticesWhy(), func(g gomegaG) {
		g.Expect(hk.lifecycle).To(gomegaContainElement(event), "lifecycle notifications received")
	})
}

func (s *Scenario) gNoteField(u, field, want string) error {
	s.gFlush()
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	if len(hk.received) == 0 {
		return Check(s.gNoticesWhy(), func(g gomegaG) { g.Expect(len(hk.received)).NotTo(equal(0), "notifications received") })
	}
	body := hk.received[len(hk.received)-1]
	return s.gFieldCheck(body, func() string { return "latest notification:\n" + string(body) }, field, want)
}
