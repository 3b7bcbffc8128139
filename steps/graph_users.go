package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func init() { register("Microsoft Graph users and batching", 71, registerGraphUsers) }

// registerGraphUsers adds the steps of the user directory (G-USR-1) and
// JSON batching (G-BATCH-1) to the Graph group's requests and checks.
func registerGraphUsers(s *Scenario, r *registry) {
	r.step(`^in the directory, (\w+)'s mail is "([^"]+)"$`, `in the directory, bob's mail is "robert@contoso.com"`, s.gSetMail)
	r.step(`^the Graph app "([^"]+)" GETs (\S+) with \$filter (.+)$`, `the Graph app "connector" GETs /v1.0/users with $filter mail eq '{mail:bob}'`, s.gFilter)
	r.step(`^the Graph app "([^"]+)" follows the @odata\.nextLink$`, `the Graph app "connector" follows the @odata.nextLink`, s.gNextLink)
	r.step(`^the Graph response has (\d+) users?$`, "the Graph response has 2 users", s.gCount)
	r.step(`^the Graph response lists the users (.+)$`, "the Graph response lists the users alice and bob", s.gListsUsers)
	r.step(`^the Graph app "([^"]+)" batches (\d+) (GET|DELETE) requests? (?:of|to) (\S+)$`, `the Graph app "connector" batches 20 GET requests of /users/{alice}/presence`, s.gBatchOf)
	r.step(`^the batch response has (\d+) responses?$`, "the batch response has 3 responses", s.gBatchLen)
	r.step(`^the batch response "([^"]+)" has status (\d+)$`, `the batch response "2" has status 424`, s.gBatchStatus)
	r.step(`^in the batch response "([^"]+)", "([^"]+)" is (.+)$`, `in the batch response "1", "body.availability" is "Available"`, s.gBatchField)
	r.step(`^(\d+) batch responses have status (\d+)(, each with a Retry-After)?$`, "17 batch responses have status 429, each with a Retry-After", s.gBatchCountStatus)
}

// gExpandMail replaces {mail:name} by the user's mail address, a
// placeholder of the filter step beside the Graph group's own.
func (s *Scenario) gExpandMail(in string) (string, error) {
	var err error
	for {
		i := strings.Index(in, "{mail:")
		if i < 0 {
			return in, err
		}
		j := strings.IndexByte(in[i:], '}')
		if j < 0 {
			return in, errors.New("unclosed {mail:…} placeholder")
		}
		id, e := s.user(in[i+6 : i+j])
		if e != nil {
			return in, fmt.Errorf("placeholder %s: %w", in[i:i+j+1], e)
		}
		in = in[:i] + s.world.Teams.Dir(id).Mail + in[i+j+1:]
	}
}

// gSetMail sets a user's mail, as the CloudLink step does (one way to
// change the directory, whoever reads it).
func (s *Scenario) gSetMail(ctx context.Context, name, mail string) error {
	return s.azureMail(ctx, name, mail)
}

func (s *Scenario) gFilter(app, path, filter string) error {
	f, err := s.gExpandMail(filter)
	if err != nil {
		return err
	}
	if f, err = s.gExpand(f, app); err != nil {
		return err
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return s.gDo(app, http.MethodGet, path+sep+"$filter="+url.QueryEscape(f), "")
}

func (s *Scenario) gNextLink(app string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	_ = json.Unmarshal(r.body, &page)
	const root = "https://graph.microsoft.com"
	if !strings.HasPrefix(page.Next, root+"/v1.0/") {
		return Check(s.gWhy(r), func(g gomegaG) {
			g.Expect(page.Next).To(hasPrefix(root+"/v1.0/"), "the answer's @odata.nextLink leads to the next page (G-USR-1)")
		})
	}
	// the link is sent as it is: the placeholders have nothing to expand
	return s.gDo(app, http.MethodGet, strings.TrimPrefix(page.Next, root), "")
}

func (s *Scenario) gListsUsers(list string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var want []string
	for _, n := range gSplitList(list) {
		id, err := s.user(n)
		if err != nil {
			return err
		}
		want = append(want, s.world.Teams.Dir(id).UPN)
	}
	var page struct {
		Value []struct {
			UPN string `json:"userPrincipalName"`
		} `json:"value"`
	}
	jerr := json.Unmarshal(r.body, &page)
	var got []string
	for _, v := range page.Value {
		got = append(got, v.UPN)
	}
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON")
		g.Expect(got).To(equal(want), "the users listed, by userPrincipalName, in the directory's order (G-USR-1)")
	})
}

func (s *Scenario) gBatchOf(app string, n int, method, path string) error {
	if n < 1 || n > 1000 {
		return fmt.Errorf("a batch step sends 1 to 1000 requests, not %d", n)
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"id":"` + strconv.Itoa(i+1) + `","method":"` + method + `","url":"` + path + `"}`
	}
	return s.gDo(app, http.MethodPost, "/v1.0/$batch", `{"requests":[`+strings.Join(parts, ",")+`]}`)
}

type gBatchItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	raw     json.RawMessage
}

// gBatch reads the last answer as a batch response.
func (s *Scenario) gBatch() (*gResp, []gBatchItem, error) {
	r, err := s.gLast()
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Responses []json.RawMessage `json:"responses"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil {
		return r, nil, Check(s.gWhy(r), func(g gomegaG) {
			g.Expect(r.status).To(equal(http.StatusOK), "a batch is answered 200 with its responses (G-BATCH-1)")
			g.Expect(json.Unmarshal(r.body, &out)).NotTo(gomegaHaveOccurred(), "the batch answer is JSON")
		})
	}
	items := make([]gBatchItem, len(out.Responses))
	for i, raw := range out.Responses {
		if err := json.Unmarshal(raw, &items[i]); err != nil {
			return r, nil, fmt.Errorf("batch response %d is not a response object: %v: %s", i, err, raw)
		}
		items[i].raw = raw
	}
	return r, items, nil
}

func (s *Scenario) gBatchWhy(r *gResp, items []gBatchItem) func() string {
	return func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s answered %d with:\n", r.what, r.status)
		for _, it := range items {
			fmt.Fprintf(&b, "  id %q → %d %s\n", it.ID, it.Status, truncateText(string(it.Body), 200))
		}
		return b.String()
	}
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (s *Scenario) gBatchLen(n int) error {
	r, items, err := s.gBatch()
	if err != nil {
		return err
	}
	return Check(s.gBatchWhy(r, items), func(g gomegaG) { g.Expect(len(items)).To(equal(n), "responses in the batch answer") })
}

func (s *Scenario) gBatchItem(id string) (*gResp, []gBatchItem, *gBatchItem, error) {
	r, items, err := s.gBatch()
	if err != nil {
		return r, items, nil, err
	}
	for i := range items {
		if items[i].ID == id {
			return r, items, &items[i], nil
		}
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	sort.Strings(ids)
	return r, items, nil, Check(s.gBatchWhy(r, items), func(g gomegaG) {
		g.Expect(ids).To(gomegaContainElement(id), "the batch answer has a response for each request id (G-BATCH-1)")
	})
}

func (s *Scenario) gBatchStatus(id string, status int) error {
	r, items, it, err := s.gBatchItem(id)
	if err != nil {
		return err
	}
	return Check(s.gBatchWhy(r, items), func(g gomegaG) {
		g.Expect(it.Status).To(equal(status), fmt.Sprintf("the status of request %q", id))
	})
}

func (s *Scenario) gBatchField(id, field, want string) error {
	r, items, it, err := s.gBatchItem(id)
	if err != nil {
		return err
	}
	return s.gFieldCheck(it.raw, s.gBatchWhy(r, items), field, want)
}

func (s *Scenario) gBatchCountStatus(n, status int, retry string) error {
	r, items, err := s.gBatch()
	if err != nil {
		return err
	}
	got, noRetry := 0, 0
	for _, it := range items {
		if it.Status == status {
			got++
			if _, err := strconv.Atoi(it.Headers["Retry-After"]); err != nil {
				noRetry++
			}
		}
	}
	wantRetry := retry != ""
	return Check(s.gBatchWhy(r, items), func(g gomegaG) {
		g.Expect(got).To(equal(n), fmt.Sprintf("responses with status %d", status))
		if wantRetry {
			g.Expect(noRetry).To(equal(0), "each of them carries its own Retry-After in seconds (G-BATCH-1, G-THR-1)")
		}
	})
}
