package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// graphClient calls Graph with a token of the identity platform. Every
// wait it decides is virtual time, turned into real time by the
// environment's scale; a token's lifetime is wall-clock time, as the
// identity platform's token times are (G-ID-2).
type graphClient struct {
	env  Env
	http *http.Client
	log  func(format string, a ...any)
	// ignoreRetryAfter plants IgnoreRetryAfter.
	ignoreRetryAfter bool
	// noTokenCache plants NoTokenCache.
	noTokenCache bool
	// delegated signs in as the presence account (password grant).
	delegated bool
	// pace, when set, is the world's clock the waits count: a request
	// that must wait is not sent (errNotYet) rather than slept on.
	pace *Pacer
	// peer, when set, is a client of the same app registration whose
	// Retry-After and backoff this one waits out too: Graph throttles the
	// app as one (C-5), and their requests go out side by side.
	peer *graphClient
	// budget, when set, keeps the requests under Graph's limit.
	budget *budget

	// tokMu makes one token request at a time: callers that find no
	// token wait for the one in flight instead of asking again.
	tokMu sync.Mutex
	// tokenURL is the token endpoint the authority's OpenID configuration
	// names, read once, as the identity libraries cache it.
	tokenURL string

	mu sync.Mutex
	// serverNow and serverAt are the Graph clock from the last answer's
	// Date header and when it came (real time).
	serverNow time.Time
	serverAt  time.Time
	token     string
	expires   time.Time // real time, a margin before the token's expiry
	// notBefore is the earliest real time of the next request (Retry-After,
	// backoff after 5xx).
	notBefore time.Time
	backoff   time.Duration // virtual
}

// TokenRefreshMargin is how long before its expiry a cached token is
// replaced, as MSAL and azidentity do (C-11).
const TokenRefreshMargin = 5 * time.Minute

// graphError is a non-2xx answer.
type graphError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration // virtual
}

func (e *graphError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// retryable says whether the request may succeed later as it is.
func (e *graphError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusUnauthorized
}

// cached is the token while it is good for more than the margin.
func (g *graphClient) cached() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token != "" && time.Now().Before(g.expires) && !g.noTokenCache {
		return g.token
	}
	return ""
}

func (g *graphClient) getToken(ctx context.Context) (string, error) {
	if t := g.cached(); t != "" {
		return t, nil
	}
	g.tokMu.Lock()
	defer g.tokMu.Unlock()
	if t := g.cached(); t != "" {
		return t, nil // another caller got one meanwhile
	}
	endpoint, err := g.tokenEndpoint(ctx)
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {g.env.ClientID},
		"client_secret": {g.env.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	if g.delegated {
		form.Set("grant_type", "password")
		form.Set("username", g.env.Username)
		form.Set("password", g.env.Password)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := g.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil {
		return "", fmt.Errorf("token endpoint answered %d with no JSON: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("token endpoint answered %d %s: %s", resp.StatusCode, tok.Error, tok.Description)
	}
	// expires_in counts wall-clock seconds whatever the time scale: the
	// token's exp is a wall-clock time (G-ID-2).
	life := time.Duration(tok.ExpiresIn)*time.Second - TokenRefreshMargin
	if life < 0 {
		life = 0
	}
	g.mu.Lock()
	g.token, g.expires = tok.AccessToken, time.Now().Add(life)
	g.mu.Unlock()
	return tok.AccessToken, nil
}

// openIDConfiguration is the part of the authority's OpenID configuration
// the connector uses.
type openIDConfiguration struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
}

// tokenEndpoint reads {login}/{tenant}/v2.0/.well-known/openid-configuration
// once and answers its token_endpoint, as the identity libraries find it
// (G-ID-1). The document must name an issuer on the authority's own host.
// A failed read is not kept: the next token request reads it again.
func (g *graphClient) tokenEndpoint(ctx context.Context) (string, error) {
	if g.tokenURL != "" {
		return g.tokenURL, nil
	}
	authority := g.env.LoginURL + "/" + url.PathEscape(g.env.TenantID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authority+"/v2.0/.well-known/openid-configuration", nil)
	if err != nil {
		return "", err
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var doc openIDConfiguration
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the OpenID configuration of %s answered %d", authority, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("the OpenID configuration of %s is no JSON: %w", authority, err)
	}
	te, err := url.Parse(doc.TokenEndpoint)
	if err != nil || (te.Scheme != "https" && te.Scheme != "http") || te.Host == "" {
		return "", fmt.Errorf("the OpenID configuration of %s names no token_endpoint URL: %q", authority, doc.TokenEndpoint)
	}
	iss, err := url.Parse(doc.Issuer)
	if login, lerr := url.Parse(g.env.LoginURL); err != nil || lerr != nil || iss.Scheme != login.Scheme || !strings.EqualFold(iss.Host, login.Host) {
		return "", fmt.Errorf("the OpenID configuration of %s names the issuer %q, not one on the authority's host", authority, doc.Issuer)
	}
	g.tokenURL = doc.TokenEndpoint
	return g.tokenURL, nil
}

// wait sleeps until the earliest time of the next request.
func (g *graphClient) wait(ctx context.Context) error {
	g.mu.Lock()
	nb := g.notBefore
	g.mu.Unlock()
	if p := g.peer; p != nil {
		p.mu.Lock()
		if p.notBefore.After(nb) {
			nb = p.notBefore
		}
		p.mu.Unlock()
	}
	d := nb.Sub(g.clock())
	if d <= 0 {
		return nil
	}
	if g.pace != nil {
		return errNotYet
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backoff after a server error: 2 s, doubling, at most 30 s (virtual), so
// the connector is back within half a minute of Graph's recovery.
const (
	minBackoff = 2 * time.Second
	maxBackoff = 30 * time.Second
)

// do sends one request (after any wait the last answer asked for) and
// decodes a JSON answer into out when given.
func (g *graphClient) do(ctx context.Context, method, path string, body, out any) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	tok, err := g.getToken(ctx)
	if err != nil {
		g.setBackoff(nil)
		return err
	}
	// a Retry-After may have come while the token was fetched
	if err := g.wait(ctx); err != nil {
		return err
	}
	if err := g.spend(ctx); err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.env.GraphURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.http.Do(req)
	if err != nil {
		g.setBackoff(nil)
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		g.mu.Lock()
		g.serverNow, g.serverAt = d, time.Now()
		g.mu.Unlock()
	}
	if resp.StatusCode/100 == 2 {
		g.mu.Lock()
		g.backoff = 0
		g.mu.Unlock()
		if out != nil && len(data) > 0 {
			return json.Unmarshal(data, out)
		}
		return nil
	}
	ge := &graphError{Status: resp.StatusCode}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(data, &eb)
	ge.Code, ge.Message = eb.Error.Code, eb.Error.Message
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		ge.RetryAfter = time.Duration(s) * time.Second
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		g.mu.Lock()
		g.token = ""
		g.mu.Unlock()
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		g.setBackoff(ge)
	}
	return ge
}

// setBackoff decides when the next request may go after a failure: the
// Retry-After of a 429 (C-5), else an exponential backoff, at least the
// Retry-After a 503 gave.
func (g *graphClient) setBackoff(ge *graphError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ge != nil && ge.Status == http.StatusTooManyRequests && g.ignoreRetryAfter {
		g.notBefore = time.Now().Add(50 * time.Millisecond)
		if g.pace != nil {
			g.notBefore = g.clock() // at once: on the next pass
		}
		return
	}
	if ge != nil && ge.Status == http.StatusTooManyRequests && ge.RetryAfter > 0 {
		g.notBefore = g.clock().Add(g.real(ge.RetryAfter))
		return
	}
	// a failing service: back off, doubling, capped, and never sooner
	// than a Retry-After it sent
	if g.backoff == 0 {
		g.backoff = minBackoff
	} else if g.backoff *= 2; g.backoff > maxBackoff {
		g.backoff = maxBackoff
	}
	wait := g.backoff
	if ge != nil {
		wait = max(wait, ge.RetryAfter)
	}
	g.notBefore = g.clock().Add(g.real(wait))
}

// clock is the time the client's waits count: the wall clock, or the
// world's when paced.
func (g *graphClient) clock() time.Time {
	if g.pace != nil {
		return g.pace.Now()
	}
	return time.Now()
}

// real is how long a virtual duration lasts on the client's clock.
func (g *graphClient) real(d time.Duration) time.Duration {
	if g.pace != nil {
		return d
	}
	return g.env.Real(d)
}

// directoryUser is one user of GET /users.
type directoryUser struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	Mail              string `json:"mail"`
}

// directory reads the tenant's users: lower-case UPN and mail → object id.
func (g *graphClient) directory(ctx context.Context) (map[string]string, error) {
	us, err := g.users(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, 2*len(us))
	for _, u := range us {
		if u.Mail != "" {
			out[strings.ToLower(u.Mail)] = u.ID
		}
		out[strings.ToLower(u.UserPrincipalName)] = u.ID
	}
	return out, nil
}

// users reads the whole directory, page by page.
func (g *graphClient) users(ctx context.Context) ([]directoryUser, error) {
	var out []directoryUser
	path := "/users?$select=id,userPrincipalName,mail&$top=999"
	for pages := 0; path != ""; pages++ {
		if pages == maxDirectoryPages {
			return nil, fmt.Errorf("the directory has more than %d pages", maxDirectoryPages)
		}
		var res struct {
			Value    []directoryUser `json:"value"`
			NextLink string          `json:"@odata.nextLink"`
		}
		if err := g.do(ctx, http.MethodGet, path, nil, &res); err != nil {
			return nil, err
		}
		out = append(out, res.Value...)
		path = ""
		if res.NextLink != "" {
			rest, ok := strings.CutPrefix(res.NextLink, g.env.GraphURL)
			if !ok {
				return nil, fmt.Errorf("the directory's next page %q is not on %s", res.NextLink, g.env.GraphURL)
			}
			path = rest
		}
	}
	return out, nil
}

// readPresences reads presences in bulk, at most MaxIDs a request, and
// hands each to take (its id lowercased); after a failed request it
// returns the ids it did not read.
func readPresences(ctx context.Context, do func(ctx context.Context, method, path string, body, out any) error, ids []string, take func(id string, p graphPresence)) ([]string, error) {
	for len(ids) > 0 {
		part := ids[:min(len(ids), MaxIDs)]
		var res struct {
			Value []struct {
				ID string `json:"id"`
				graphPresence
			} `json:"value"`
		}
		if err := do(ctx, http.MethodPost, "/communications/getPresencesByUserId", map[string][]string{"ids": part}, &res); err != nil {
			return ids, err
		}
		for _, p := range res.Value {
			take(strings.ToLower(p.ID), p.graphPresence)
		}
		ids = ids[len(part):]
	}
	return nil, nil
}

// maxDirectoryPages bounds the pages of one directory read (999 users
// each).
const maxDirectoryPages = 1000

// graphPresence is the part of a presence a connector reads.
type graphPresence struct {
	Availability   string `json:"availability"`
	Activity       string `json:"activity"`
	SequenceNumber string `json:"sequenceNumber"`
}

// isoDuration renders whole minutes (and seconds) as ISO 8601.
func isoDuration(d time.Duration) string {
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += strconv.Itoa(int(h)) + "H"
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		s += strconv.Itoa(int(m)) + "M"
		d -= m * time.Minute
	}
	if sec := d / time.Second; sec > 0 || s == "PT" {
		s += strconv.Itoa(int(sec)) + "S"
	}
	return s
}

// now is Graph's time: the last Date header moved on by the real time
// since, at the scale.
func (g *graphClient) now() time.Time {
	if g.pace != nil {
		return g.pace.Now().UTC()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.serverNow.IsZero() {
		return time.Now().UTC()
	}
	return g.serverNow.Add(time.Duration(float64(time.Since(g.serverAt)) * g.env.TimeScale))
}

// answerGraph answers what Graph posts to a reader's notification URL:
// the validation token echoed as text/plain (done), else the ids of the
// users whose presence changed, lowercased, and whether a lifecycle event
// came; the caller answers 202 at once and reads the presences afterwards.
func answerGraph(w http.ResponseWriter, r *http.Request) (ids []string, lifecycle, done bool) {
	if tok := r.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, tok)
		return nil, false, true
	}
	var body struct {
		Value []struct {
			LifecycleEvent string `json:"lifecycleEvent"`
			ResourceData   struct {
				ID string `json:"id"`
			} `json:"resourceData"`
		} `json:"value"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	for _, v := range body.Value {
		lifecycle = lifecycle || v.LifecycleEvent != ""
		if v.ResourceData.ID != "" {
			ids = append(ids, strings.ToLower(v.ResourceData.ID))
		}
	}
	return ids, lifecycle, false
}
