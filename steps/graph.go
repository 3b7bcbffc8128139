package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/fakes/graph/graphtest"
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

const graphMethods = `(GET|POST|PATCH|DELETE)`

func registerGraph(sc *Scenario, r *registry) {
	s := graphSteps{sc}
	r.step(`^the Graph app "([^"]+)" is registered with (application|delegated) permissions? (.+)$`,
		`the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All`, s.register)
	r.step(`^Graph sign-in requires multi-factor authentication for (\w+)$`, "Graph sign-in requires multi-factor authentication for alice", s.mfa)
	r.step(`^the Graph app "([^"]+)" acts as (\w+)$`, `the Graph app "connector" acts as alice`, s.actAs)
	r.step(`^the Graph app "([^"]+)" tries to sign in as (\w+)(?: with the password "([^"]*)")?$`, `the Graph app "connector" tries to sign in as alice with the password "wrong"`, s.trySignIn)
	r.step(`^the Graph app "([^"]+)" tries to sign in with a wrong secret$`, `the Graph app "connector" tries to sign in with a wrong secret`, s.wrongSecret)
	r.step(`^the sign-in is refused with (\w+) (AADSTS\d+)$`, "the sign-in is refused with invalid_grant AADSTS50076", s.signInRefused)
	r.step(`^the Graph token of "([^"]+)" carries the (roles|scopes) (.+)$`, `the Graph token of "connector" carries the roles Presence.Read.All`, s.tokenCarries)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+)$`, `the Graph app "connector" GETs /v1.0/users/{alice}/presence`, s.request)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) with:$`, `the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:`, s.requestBody)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) (\d+) times$`, `the Graph app "connector" GETs /v1.0/users/{alice}/presence 1501 times`, s.repeat)
	r.step(`^the Graph app "([^"]+)" `+graphMethods+`s (\S+) with the Authorization scheme "(\w+)"$`, `the Graph app "reader" GETs /v1.0/users/{alice}/presence with the Authorization scheme "bearer"`, s.requestScheme)
	r.step(`^a Graph client (`+strings.Join(graphtest.BadTokens, "|")+`) `+graphMethods+`s (\S+)$`, "a Graph client without a token GETs /v1.0/users/{alice}/presence", s.badToken)
	r.step(`^the (?:Graph|Entra ID) response status is (\d+)$`, "the Graph response status is 200", s.status)
	r.step(`^the Graph response is the error (\d+) "([^"]+)"$`, `the Graph response is the error 403 "Forbidden"`, s.errorIs)
	r.step(`^in the (?:Graph|Entra ID) response, "([^"]+)" is (.+)$`, `in the Graph response, "availability" is "Busy"`, s.fieldIs)
	r.step(`^in the (?:Graph|Entra ID) response, "([^"]+)" (starts with|contains|ends with) "(.*)"$`, `in the Graph response, "@odata.context" ends with "/presence/$entity"`, s.fieldText)
	r.step(`^the Graph response has (\d+) presences?$`, "the Graph response has 2 presences", s.count)
	r.step(`^the Graph response has a Retry-After of (\d+) seconds?$`, "the Graph response has a Retry-After of 30 seconds", s.retryAfter)
	r.step(`^Graph reads (\w+) as (.+)$`, "Graph reads alice as Busy/InACall", s.reads)
	r.step(`^the Graph sequenceNumber of (\w+) has (grown|not changed)$`, "the Graph sequenceNumber of alice has grown", s.sequence)
	r.step(`^(\d+) of those requests were answered (\d+)$`, "1500 of those requests were answered 200", s.batchCount)
	r.step(`^the Graph limit is (\d+) requests? per (.+)$`, "the Graph limit is 1 request per 30 seconds", s.gfLimit)
	r.step(`^the Graph fake answers (\d+)% of requests with ([\d, or]+?)(?: and a Retry-After of (.+))?$`, "the Graph fake answers 100% of requests with 503", s.gfFaults)
	r.step(`^the Graph fake stops injecting faults$`, "the Graph fake stops injecting faults", s.gfNoFaults)
	r.step(`^the Graph journal has (\d+) requests? by "([^"]+)"(?: answered (\d+))?$`, `the Graph journal has 2 requests by "connector" answered 200`, s.journalCount)
	r.step(`^the Graph journal's last request is `+graphMethods+` (\S+) by "([^"]+)"(?: as (\w+))? answered (\d+)$`, `the Graph journal's last request is GET /v1.0/me/presence by "connector" as alice answered 200`, s.journalLast)
	r.step(`^a webhook listens at (\S+)$`, "a webhook listens at https://hooks.example.com/presence", s.hook)
	r.step(`^the webhook at (\S+) answers (validation requests|notifications) with (\d+)$`, "the webhook at https://hooks.example.com/presence answers notifications with 500", s.hookAnswers)
	r.step(`^the webhook at (\S+) echoes a different validation token$`, "the webhook at https://hooks.example.com/presence echoes a different validation token", s.hookWrongToken)
	r.step(`^the webhook at (\S+) takes (.+) to answer$`, "the webhook at https://hooks.example.com/presence takes 4 seconds to answer", s.hookSlow)
	r.step(`^the webhook at (\S+) has received (\d+) notifications?(?: about (\w+))?$`, "the webhook at https://hooks.example.com/presence has received 1 notification about alice", s.hookReceived)
	r.step(`^the webhook at (\S+) has received a lifecycle notification "(\w+)"$`, `the webhook at https://hooks.example.com/presence has received a lifecycle notification "reauthorizationRequired"`, s.hookLifecycle)
	r.step(`^in the latest notification at (\S+), "([^"]+)" is (.+)$`, `in the latest notification at https://hooks.example.com/presence, "value[0].resourceData.id" is "{alice}"`, s.noteField)
}

// gState is the Graph group's per-scenario state: the in-process client
// of the fake (h is its handler) and the statuses of the last repeated
// request.
type gState struct {
	h     *graph.Handler
	c     *graphtest.Client
	batch []int
}

// graph is the scenario's Graph fake and its client, made on first use.
func (s *Scenario) graph() *gState {
	return Ext(s, "graph", func() *gState {
		// The in-process client serves each request on the step's own
		// goroutine, so the steps may read the world between requests.
		c, err := graphtest.New(s.world, s.user, ParseDuration)
		if err != nil {
			panic(err) // a manual clock has no settings to refuse
		}
		return &gState{h: c.H, c: c}
	})
}

// graphSteps are the steps of Microsoft Graph: requests of registered apps
// through the in-process client and checks of the answers.
type graphSteps struct{ *Scenario }

func (s graphSteps) client() *graphtest.Client { return s.graph().c }

func gSplitList(s string) []string {
	if strings.TrimSpace(s) == "none" {
		return nil
	}
	return splitNames(s)
}

func (s graphSteps) register(app, kind, perms string) error {
	c := s.client()
	id := c.H.Identity()
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
	c.Forget(app)
	return err
}

func (s graphSteps) mfa(name string) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	ident := s.client().H.Identity()
	acc := ident.Account(id)
	acc.MFA = true
	ident.SetAccount(id, acc)
	return nil
}

func (s graphSteps) actAs(app, user string) error {
	if user == "itself" {
		user = ""
	}
	return s.client().ActAs(app, user)
}

func (s graphSteps) trySignIn(app, user, password string) error {
	r, err := s.client().SignIn(app, user, password, false)
	if err == nil {
		s.client().Last = r
	}
	return err
}

func (s graphSteps) wrongSecret(app string) error {
	r, err := s.client().SignIn(app, "", "", true)
	if err == nil {
		s.client().Last = r
	}
	return err
}

func (s graphSteps) last() (*graphtest.Response, error) {
	if r := s.client().Last; r != nil {
		return r, nil
	}
	return nil, errors.New("no Graph request was made yet in this scenario")
}

func (s graphSteps) signInRefused(code, aadsts string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var body entra.OAuthError
	jerr := json.Unmarshal(r.Body, &body)
	n, _ := strconv.Atoi(strings.TrimPrefix(aadsts, "AADSTS"))
	return Check(func() string { return fmt.Sprintf("the token endpoint answered %d %s", r.Status, r.Body) }, func(g gomegaG) {
		g.Expect(r.Status == http.StatusBadRequest || r.Status == http.StatusUnauthorized).To(equal(true), fmt.Sprintf("a refused sign-in answers 400 or 401 (G-ID-2), not %d", r.Status))
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON (G-ID-2)")
		g.Expect(body.Error).To(equal(code), "the OAuth error code")
		g.Expect(body.Description).To(hasPrefix(aadsts+":"), "the AADSTS code a real tenant gives")
		g.Expect(body.ErrorCodes).To(equal([]int{n}), "error_codes names the AADSTS number (G-ID-2)")
		g.Expect(body.Timestamp).NotTo(gomegaBeEmpty(), "timestamp (G-ID-2)")
		g.Expect(body.TraceID).NotTo(gomegaBeEmpty(), "trace_id (G-ID-2)")
		g.Expect(body.CorrelationID).NotTo(gomegaBeEmpty(), "correlation_id (G-ID-2)")
	})
}

func (s graphSteps) tokenCarries(app, kind, list string) error {
	tok, err := s.client().Token(app)
	if err != nil {
		return err
	}
	c, err := graphtest.Claims(tok)
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

func (s graphSteps) request(app, method, path string) error {
	return s.client().Do(app, method, path, "")
}

func (s graphSteps) requestBody(app, method, path string, body *godog.DocString) error {
	return s.client().Do(app, method, path, body.Content)
}

func (s graphSteps) repeat(app, method, path string, n int) error {
	st, c := s.graph(), s.client()
	tok, err := c.Token(app)
	if err != nil {
		return err
	}
	st.batch = st.batch[:0]
	for i := 0; i < n; i++ {
		r, err := c.Send(app, method, path, "", graphtest.Bearer(tok))
		if err != nil {
			return err
		}
		st.batch = append(st.batch, r.Status)
		c.Record(r)
	}
	return nil
}

func (s graphSteps) batchCount(n, status int) error {
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

func (s graphSteps) badToken(kind, method, path string) error {
	c := s.client()
	tok, err := c.BadToken(kind)
	if err != nil {
		return err
	}
	r, err := c.Send("", method, path, "", graphtest.Bearer(tok))
	if err != nil {
		return err
	}
	c.Record(r)
	return nil
}

func (s graphSteps) requestScheme(app, method, path, scheme string) error {
	c := s.client()
	c.LastApp = app
	tok, err := c.Token(app)
	if err != nil {
		return err
	}
	r, err := c.Send(app, method, path, "", scheme+" "+tok)
	if err != nil {
		return err
	}
	c.Record(r)
	return nil
}

func (s graphSteps) status(status int) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	return Check(r.Why, func(g gomegaG) { g.Expect(r.Status).To(equal(status), "the HTTP status") })
}

func (s graphSteps) errorIs(status int, code string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var eb graph.ErrorBody
	jerr := json.Unmarshal(r.Body, &eb)
	return Check(r.Why, func(g gomegaG) {
		g.Expect(r.Status).To(equal(status), "the HTTP status")
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON (G-ERR-1)")
		g.Expect(eb.Error.Code).To(equal(code), "error.code (G-ERR-1)")
		g.Expect(eb.Error.Message).NotTo(gomegaBeEmpty(), "error.message (G-ERR-1)")
		g.Expect(eb.Error.InnerError.RequestID).To(equal(r.Header.Get("request-id")), "innerError.request-id matches the request-id header (G-ERR-1)")
		g.Expect(eb.Error.InnerError.ClientRequestID).NotTo(gomegaBeEmpty(), "innerError.client-request-id (G-ERR-1)")
		_, derr := time.Parse("2006-01-02T15:04:05", eb.Error.InnerError.Date)
		g.Expect(derr).NotTo(gomegaHaveOccurred(), "innerError.date is a date-time (G-ERR-1)")
	})
}

// fieldCheck compares a field of a JSON body with an expected JSON
// literal (placeholders expanded), or the words absent or present.
func (s graphSteps) fieldCheck(body []byte, why func() string, field, want string) error {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return Check(why, func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), "the body is JSON") })
	}
	got, ok := graphtest.LookupJSON(doc, field)
	switch strings.TrimSpace(want) {
	case "absent":
		return Check(why, func(g gomegaG) {
			g.Expect(ok).To(equal(false), fmt.Sprintf("%q is absent, but it is %v", field, graphtest.JSONText(got)))
		})
	case "present":
		return Check(why, func(g gomegaG) { g.Expect(ok).To(equal(true), fmt.Sprintf("the body has %q", field)) })
	}
	exp, err := s.client().Expand(want, "")
	if err != nil {
		return err
	}
	var wantV any
	if err := json.Unmarshal([]byte(exp), &wantV); err != nil {
		return fmt.Errorf("expected value %s is not a JSON literal: write \"Busy\", null, true or 3, or the word absent or present", want)
	}
	return Check(why, func(g gomegaG) {
		g.Expect(ok).To(equal(true), fmt.Sprintf("the body has %q", field))
		g.Expect(reflect.DeepEqual(got, wantV)).To(equal(true), fmt.Sprintf("%q is %v, expected %v", field, graphtest.JSONText(got), exp))
	})
}

func (s graphSteps) fieldIs(field, want string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	return s.fieldCheck(r.Body, r.Why, field, want)
}

func (s graphSteps) fieldText(field, how, want string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var doc any
	_ = json.Unmarshal(r.Body, &doc)
	got, ok := graphtest.LookupJSON(doc, field)
	str, isStr := got.(string)
	want, err = s.client().Expand(want, "")
	if err != nil {
		return err
	}
	return Check(r.Why, func(g gomegaG) {
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

func (s graphSteps) count(n int) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var body struct {
		Value []json.RawMessage `json:"value"`
	}
	jerr := json.Unmarshal(r.Body, &body)
	return Check(r.Why, func(g gomegaG) {
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON")
		g.Expect(len(body.Value)).To(equal(n), "presences in value")
	})
}

func (s graphSteps) retryAfter(secs int) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	return Check(r.Why, func(g gomegaG) {
		g.Expect(r.Header.Get("Retry-After")).To(equal(strconv.Itoa(secs)), "the Retry-After header (G-THR-1)")
	})
}

// readPresence reads the user's presence through Graph with a reader app
// of its own, registered on first use.
func readPresence(s *Scenario, name string) (*graphtest.Response, error) {
	const reader = "presencesim reader"
	gs := graphSteps{s}
	if _, err := gs.client().App(reader); err != nil {
		if err := gs.register(reader, "application", graph.PresenceReadAll); err != nil {
			return nil, err
		}
	}
	if err := gs.client().Do(reader, http.MethodGet, "/v1.0/users/{"+name+"}/presence", ""); err != nil {
		return nil, err
	}
	return gs.client().Last, nil
}

// reads compares the presence Graph reads for the user with the expected
// one.
func (s graphSteps) reads(name, want string) error {
	r, err := readPresence(s.Scenario, name)
	if err != nil {
		return err
	}
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
	_ = json.Unmarshal(r.Body, &body)
	id, _ := s.user(name)
	why := func() string { return r.Why() + "\n" + s.world.Teams.Explain(id).String() }
	return Check(why, func(g gomegaG) {
		g.Expect(r.Status).To(equal(http.StatusOK), "the GET status")
		g.Expect(body.Availability+"/"+body.Activity).To(equal(p.Availability.String()+"/"+p.Activity.String()), "Graph's availability/activity")
		g.Expect(body.OOF.IsOutOfOffice).To(equal(p.OutOfOffice), "outOfOfficeSettings.isOutOfOffice")
	})
}

func (s graphSteps) sequence(name, how string) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	prev, cur := s.client().Sequence(s.world.Teams.Dir(id).ID)
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

func (s graphSteps) journalCount(n int, app string, status string) error {
	h := s.graph().h
	es := h.Journal.Filter(func(e graph.Entry) bool {
		return e.App == app && !strings.HasSuffix(e.Path, "/token") && (status == "" || strconv.Itoa(e.Status) == status)
	})
	return Check(func() string { return gJournalText(h.Journal.Entries()) }, func(g gomegaG) {
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

func (s graphSteps) journalLast(method, path, app, user string, status int) error {
	h := s.graph().h
	p, err := s.client().Expand(path, app)
	if err != nil {
		return err
	}
	var last *graph.Entry
	for _, e := range h.Journal.Entries() {
		if !strings.HasSuffix(e.Path, "/token") {
			e := e
			last = &e
		}
	}
	if last == nil {
		return errors.New("the journal has no Graph request")
	}
	return Check(func() string { return gJournalText(h.Journal.Entries()) }, func(g gomegaG) {
		g.Expect(last.Method+" "+last.Path).To(equal(method+" "+p), "method and path")
		g.Expect(last.App).To(equal(app), "the calling app")
		g.Expect(last.User).To(equal(user), "the signed-in user")
		g.Expect(last.Status).To(equal(status), "the status")
	})
}

func (s graphSteps) hook(u string) error { return s.client().Hooks.Listen(u) }

func (s graphSteps) hookAnswers(u, what string, status int) error {
	hk, err := s.client().Hooks.At(u)
	if err != nil {
		return err
	}
	if what == "notifications" {
		hk.NotifyStatus = status
	} else {
		hk.ValidationStatus = status
	}
	return nil
}

func (s graphSteps) hookWrongToken(u string) error {
	hk, err := s.client().Hooks.At(u)
	if err == nil {
		hk.WrongToken = true
	}
	return err
}

func (s graphSteps) hookSlow(u, d string) error {
	hk, err := s.client().Hooks.At(u)
	if err != nil {
		return err
	}
	hk.Delay, err = ParseDuration(d)
	return err
}

// delivered flushes what the fake has queued and returns the webhook at u.
func (s graphSteps) delivered(u string) (*graphtest.Webhook, error) {
	c := s.client()
	c.Flush()
	return c.Hooks.At(u)
}

func (s graphSteps) noticesWhy() func() string {
	return func() string {
		var b strings.Builder
		b.WriteString("delivery attempts:\n")
		for _, n := range s.graph().h.Notices() {
			fmt.Fprintf(&b, "  %s %s %s user=%s attempt %d → %d %s %s\n", n.At, n.Kind, n.URL, n.User, n.Attempt, n.Status, n.Outcome, n.Error)
		}
		return b.String()
	}
}

func (s graphSteps) hookReceived(u string, n int, about string) error {
	hk, err := s.delivered(u)
	if err != nil {
		return err
	}
	oid := ""
	if about != "" {
		id, err := s.user(about)
		if err != nil {
			return err
		}
		oid = s.world.Teams.Dir(id).ID
	}
	got := hk.About(oid)
	return Check(s.noticesWhy(), func(g gomegaG) { g.Expect(got).To(equal(n), "notifications received") })
}

func (s graphSteps) hookLifecycle(u, event string) error {
	hk, err := s.delivered(u)
	if err != nil {
		return err
	}
	return Check(s.noticesWhy(), func(g gomegaG) {
		g.Expect(hk.Lifecycle).To(gomegaContainElement(event), "lifecycle notifications received")
	})
}

func (s graphSteps) noteField(u, field, want string) error {
	hk, err := s.delivered(u)
	if err != nil {
		return err
	}
	_, body, ok := hk.Latest()
	if !ok {
		return Check(s.noticesWhy(), func(g gomegaG) { g.Expect(len(hk.Received)).NotTo(equal(0), "notifications received") })
	}
	return s.fieldCheck(body, func() string { return "latest notification:\n" + string(body) }, field, want)
}
