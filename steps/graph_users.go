package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/presencesim/presencesim/fakes/graph/graphtest"
)

// graphUsersSteps are the steps of the user directory and batching.
type graphUsersSteps struct{ graphSteps }

// registerGraphUsers adds the steps of the user directory (G-USR-1) and
// JSON batching (G-BATCH-1) to the Graph group's requests and checks.
func registerGraphUsers(sc *Scenario, r *registry) {
	s := graphUsersSteps{graphSteps{sc}}
	r.step(`^in the directory, (\w+)'s mail is "([^"]+)"$`, `in the directory, bob's mail is "robert@contoso.com"`, s.setMail)
	r.step(`^the Graph app "([^"]+)" GETs (\S+) with \$filter (.+)$`, `the Graph app "connector" GETs /v1.0/users with $filter mail eq '{mail:bob}'`, s.filter)
	r.step(`^the Graph app "([^"]+)" follows the @odata\.nextLink$`, `the Graph app "connector" follows the @odata.nextLink`, s.nextLink)
	r.step(`^the Graph response has (\d+) users?$`, "the Graph response has 2 users", s.count)
	r.step(`^the Graph response lists the users (.+)$`, "the Graph response lists the users alice and bob", s.listsUsers)
	r.step(`^the Graph app "([^"]+)" batches (\d+) (GET|DELETE) requests? (?:of|to) (\S+)$`, `the Graph app "connector" batches 20 GET requests of /users/{alice}/presence`, s.batchOf)
	r.step(`^the batch response has (\d+) responses?$`, "the batch response has 3 responses", s.batchLen)
	r.step(`^the batch response "([^"]+)" has status (\d+)$`, `the batch response "2" has status 424`, s.batchStatus)
	r.step(`^in the batch response "([^"]+)", "([^"]+)" is (.+)$`, `in the batch response "1", "body.availability" is "Available"`, s.batchField)
	r.step(`^(\d+) batch responses have status (\d+)(, each with a Retry-After)?$`, "17 batch responses have status 429, each with a Retry-After", s.batchCountStatus)
}

// setMail sets a user's mail, as the CloudLink step does (one way to
// change the directory, whoever reads it).
func (s graphUsersSteps) setMail(ctx context.Context, name, mail string) error {
	return cloudLinkSteps{s.Scenario}.azureMail(ctx, name, mail)
}

func (s graphUsersSteps) filter(app, path, filter string) error {
	f, err := s.client().Expand(filter, app)
	if err != nil {
		return err
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return s.client().Do(app, http.MethodGet, path+sep+"$filter="+url.QueryEscape(f), "")
}

func (s graphUsersSteps) nextLink(app string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	_ = json.Unmarshal(r.Body, &page)
	const root = "https://graph.microsoft.com"
	if !strings.HasPrefix(page.Next, root+"/v1.0/") {
		return Check(r.Why, func(g gomegaG) {
			g.Expect(page.Next).To(hasPrefix(root+"/v1.0/"), "the answer's @odata.nextLink leads to the next page (G-USR-1)")
		})
	}
	// the link is sent as it is: the placeholders have nothing to expand
	return s.client().Do(app, http.MethodGet, strings.TrimPrefix(page.Next, root), "")
}

func (s graphUsersSteps) listsUsers(list string) error {
	r, err := s.last()
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
	jerr := json.Unmarshal(r.Body, &page)
	var got []string
	for _, v := range page.Value {
		got = append(got, v.UPN)
	}
	return Check(r.Why, func(g gomegaG) {
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the body is JSON")
		g.Expect(got).To(equal(want), "the users listed, by userPrincipalName, in the directory's order (G-USR-1)")
	})
}

func (s graphUsersSteps) batchOf(app string, n int, method, path string) error {
	if n < 1 || n > 1000 {
		return fmt.Errorf("a batch step sends 1 to 1000 requests, not %d", n)
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"id":"` + strconv.Itoa(i+1) + `","method":"` + method + `","url":"` + path + `"}`
	}
	return s.client().Do(app, http.MethodPost, "/v1.0/$batch", `{"requests":[`+strings.Join(parts, ",")+`]}`)
}

type gBatchItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	raw     json.RawMessage
}

// batch reads the last answer as a batch response.
func (s graphUsersSteps) batch() (*graphtest.Response, []gBatchItem, error) {
	r, err := s.last()
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Responses []json.RawMessage `json:"responses"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
		return r, nil, Check(r.Why, func(g gomegaG) {
			g.Expect(r.Status).To(equal(http.StatusOK), "a batch is answered 200 with its responses (G-BATCH-1)")
			g.Expect(json.Unmarshal(r.Body, &out)).NotTo(gomegaHaveOccurred(), "the batch answer is JSON")
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

func (s graphUsersSteps) batchWhy(r *graphtest.Response, items []gBatchItem) func() string {
	return func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s answered %d with:\n", r.What, r.Status)
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

func (s graphUsersSteps) batchLen(n int) error {
	r, items, err := s.batch()
	if err != nil {
		return err
	}
	return Check(s.batchWhy(r, items), func(g gomegaG) { g.Expect(len(items)).To(equal(n), "responses in the batch answer") })
}

func (s graphUsersSteps) batchItem(id string) (*graphtest.Response, []gBatchItem, *gBatchItem, error) {
	r, items, err := s.batch()
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
	return r, items, nil, Check(s.batchWhy(r, items), func(g gomegaG) {
		g.Expect(ids).To(gomegaContainElement(id), "the batch answer has a response for each request id (G-BATCH-1)")
	})
}

func (s graphUsersSteps) batchStatus(id string, status int) error {
	r, items, it, err := s.batchItem(id)
	if err != nil {
		return err
	}
	return Check(s.batchWhy(r, items), func(g gomegaG) {
		g.Expect(it.Status).To(equal(status), fmt.Sprintf("the status of request %q", id))
	})
}

func (s graphUsersSteps) batchField(id, field, want string) error {
	r, items, it, err := s.batchItem(id)
	if err != nil {
		return err
	}
	return s.fieldCheck(it.raw, s.batchWhy(r, items), field, want)
}

func (s graphUsersSteps) batchCountStatus(n, status int, retry string) error {
	r, items, err := s.batch()
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
	return Check(s.batchWhy(r, items), func(g gomegaG) {
		g.Expect(got).To(equal(n), fmt.Sprintf("responses with status %d", status))
		if wantRetry {
			g.Expect(noRetry).To(equal(0), "each of them carries its own Retry-After in seconds (G-BATCH-1, G-THR-1)")
		}
	})
}
