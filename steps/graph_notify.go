package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/fakes/graph/graphtest"
	"github.com/presencesim/presencesim/fakes/graph/richnotify"
	"github.com/presencesim/presencesim/sim/presence"
)

// graphNotifySteps are the steps of rich notifications and the
// subscription lifecycle.
type graphNotifySteps struct{ graphSteps }

// Rich notifications (G-RICH-1) and the subscription lifecycle (G-SUB-2),
// seen from the subscriber's side.
func registerGraphNotify(sc *Scenario, r *registry) {
	s := graphNotifySteps{graphSteps{sc}}
	r.step(`^the latest notification at (\S+) decrypts to (\w+) as (\S+)$`, "the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall", s.richDecrypts)
	r.step(`^the latest notification at (\S+) no longer decrypts once a byte of its data is changed$`, "the latest notification at https://hooks.example.com/presence no longer decrypts once a byte of its data is changed", s.richTampered)
	r.step(`^the validation token of the latest notification at (\S+) is (valid|not valid) for the Graph app "([^"]+)"$`, `the validation token of the latest notification at https://hooks.example.com/presence is valid for the Graph app "watcher"`, s.richToken)
	r.step(`^the last (\d+) notifications at (\S+) were encrypted with different keys$`, "the last 2 notifications at https://hooks.example.com/presence were encrypted with different keys", s.richKeys)
	r.step(`^the Graph app "([^"]+)" renews its subscription every (.+) for (.+)$`, `the Graph app "watcher" renews its subscription every 50 minutes for 4 hours 30 minutes`, s.renewEvery)
	r.step(`^Graph queues at most (\d+) notifications? per notification URL$`, "Graph queues at most 1 notification per notification URL", s.queueCap)
	r.step(`^the webhook at (\S+) has received no lifecycle notification "(\w+)"$`, `the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "missed"`, s.hookNoLifecycle)
}

// latestPayload is the latest notification the webhook received, decoded.
func (s graphNotifySteps) latestPayload(u string) (graph.NotificationPayload, []byte, error) {
	var p graph.NotificationPayload
	hk, err := s.delivered(u)
	if err != nil {
		return p, nil, err
	}
	if len(hk.Received) == 0 {
		return p, nil, Check(s.noticesWhy(), func(g gomegaG) { g.Expect(len(hk.Received)).NotTo(equal(0), "notifications received") })
	}
	body := hk.Received[len(hk.Received)-1]
	if err := json.Unmarshal(body, &p); err != nil || len(p.Value) == 0 {
		return p, body, fmt.Errorf("the latest notification at %s is no notification payload (%v):\n%s", u, err, body)
	}
	return p, body, nil
}

func gContent(p graph.NotificationPayload, body []byte) (richnotify.EncryptedContent, error) {
	ec := p.Value[0].EncryptedContent
	if ec == nil {
		return richnotify.EncryptedContent{}, fmt.Errorf("the notification has no encryptedContent: it is a basic notification (subscribe with includeResourceData):\n%s", body)
	}
	return richnotify.EncryptedContent(*ec), nil
}

func (s graphNotifySteps) richDecrypts(u, name, want string) error {
	p, body, err := s.latestPayload(u)
	if err != nil {
		return err
	}
	ec, err := gContent(p, body)
	if err != nil {
		return err
	}
	exp, err := presence.Parse(want)
	if err != nil {
		return err
	}
	id, err := s.user(name)
	if err != nil {
		return err
	}
	oid := s.world.Teams.Dir(id).ID
	cert, err := graphtest.SubscriberCert()
	if err != nil {
		return err
	}
	thumb, _ := richnotify.Thumbprint(cert.Base64)
	plain, derr := richnotify.Decrypt(ec, cert.Key)
	var got struct {
		ODataID      string `json:"@odata.id"`
		ID           string `json:"id"`
		Availability string `json:"availability"`
		Activity     string `json:"activity"`
	}
	jerr := json.Unmarshal(plain, &got)
	why := func() string { return "latest notification:\n" + string(body) + "\ndecrypted:\n" + string(plain) }
	return Check(why, func(g gomegaG) {
		g.Expect(ec.EncryptionCertificateThumbprint).To(equal(thumb), "the thumbprint of the subscriber's certificate")
		g.Expect(derr).NotTo(gomegaHaveOccurred(), "decrypting as Microsoft's samples do")
		g.Expect(jerr).NotTo(gomegaHaveOccurred(), "the decrypted content is JSON")
		g.Expect(got.ID).To(equal(oid), "the user's id, "+name)
		g.Expect(got.ODataID).To(equal("users/"+oid+"/presence"), "@odata.id")
		g.Expect(got.Availability+"/"+got.Activity).To(equal(exp.Availability.String()+"/"+exp.Activity.String()), "availability/activity")
	})
}

func (s graphNotifySteps) richTampered(u string) error {
	p, body, err := s.latestPayload(u)
	if err != nil {
		return err
	}
	ec, err := gContent(p, body)
	if err != nil {
		return err
	}
	cert, err := graphtest.SubscriberCert()
	if err != nil {
		return err
	}
	data := []byte(ec.Data)
	// Swap one base64 letter for another: the decoded data differs by a bit.
	if data[0] == 'A' {
		data[0] = 'B'
	} else {
		data[0] = 'A'
	}
	ec.Data = string(data)
	_, derr := richnotify.Decrypt(ec, cert.Key)
	return Check(func() string { return "latest notification:\n" + string(body) }, func(g gomegaG) {
		g.Expect(errors.Is(derr, richnotify.ErrSignature)).To(equal(true), fmt.Sprintf("the HMAC check refuses the altered data (got %v)", derr))
	})
}

// keys reads the JSON Web Key Set at the identity platform's discovery
// keys endpoint over HTTP, as a subscriber would.
func (s graphNotifySteps) keys() (richnotify.JWKS, error) {
	var ks richnotify.JWKS
	resp, err := s.client().HTTP.Get("https://" + graph.LoginHost + "/common/discovery/keys")
	if err != nil {
		return ks, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ks, fmt.Errorf("the discovery keys endpoint answered %d", resp.StatusCode)
	}
	return ks, json.NewDecoder(resp.Body).Decode(&ks)
}

func (s graphNotifySteps) richToken(u, how, app string) error {
	p, body, err := s.latestPayload(u)
	if err != nil {
		return err
	}
	a, err := s.client().App(app)
	if err != nil {
		return err
	}
	ks, err := s.keys()
	if err != nil {
		return err
	}
	st := s.graph()
	tenant := st.h.Identity().Tenant("").ID
	var verr error = errors.New("the payload carries no validationTokens")
	if len(p.ValidationTokens) > 0 {
		verr = richnotify.ValidateToken(p.ValidationTokens[0], ks, a.AppID, tenant, st.h.Entra().Now())
	}
	return Check(func() string { return "latest notification:\n" + string(body) }, func(g gomegaG) {
		g.Expect(len(p.ValidationTokens)).To(equal(1), "validation tokens (one app in the payload)")
		if how == "valid" {
			g.Expect(verr).NotTo(gomegaHaveOccurred(), "the token validates for "+app)
		} else {
			g.Expect(verr).To(gomegaHaveOccurred(), "the token validates for "+app)
		}
	})
}

func (s graphNotifySteps) richKeys(n int, u string) error {
	hk, err := s.delivered(u)
	if err != nil {
		return err
	}
	if len(hk.Received) < n {
		return Check(s.noticesWhy(), func(g gomegaG) { g.Expect(len(hk.Received)).To(gomegaBeNumerically(">=", n), "notifications received") })
	}
	seen := map[string]bool{}
	for _, b := range hk.Received[len(hk.Received)-n:] {
		var p graph.NotificationPayload
		_ = json.Unmarshal(b, &p)
		for _, v := range p.Value {
			if v.EncryptedContent != nil {
				seen[v.EncryptedContent.DataKey] = true
			}
		}
	}
	return Check(s.noticesWhy(), func(g gomegaG) { g.Expect(len(seen)).To(equal(n), "distinct dataKeys") })
}

// renewEvery lets time pass in slices of at most 10 minutes, delivering
// what falls due after each, and renews the last subscription for an
// hour every so often while Graph keeps it.
func (s graphNotifySteps) renewEvery(app, every, total string) error {
	ev, err := ParseDuration(every)
	if err != nil {
		return err
	}
	all, err := ParseDuration(total)
	if err != nil {
		return err
	}
	if ev <= 0 || ev > time.Hour {
		return fmt.Errorf("renew every 1 s to 60 minutes (a presence subscription lives an hour at most), not %s", every)
	}
	const slice = 10 * time.Minute
	renewed, alive := ev, true // renew first, then every ev
	for done := time.Duration(0); ; {
		if alive && renewed >= ev {
			renewed = 0
			if err := s.client().Do(app, http.MethodPatch, "/v1.0/subscriptions/{sub}", `{"expirationDateTime": "{now+1 hour}"}`); err != nil {
				return err
			}
			switch st := s.client().Last.Status; st {
			case http.StatusOK:
			case http.StatusNotFound:
				alive = false // Graph dropped it: the scenario says what follows
			default:
				return fmt.Errorf("renewing the subscription answered %d: %s", st, s.client().Last.Body)
			}
		}
		if done >= all {
			return nil
		}
		d := min(slice, all-done)
		if alive {
			d = min(d, ev-renewed)
		}
		if err := s.world.Clock.Advance(d); err != nil {
			return err
		}
		done, renewed = done+d, renewed+d
		s.client().Flush()
	}
}

func (s graphNotifySteps) queueCap(n int) error {
	if n < 1 {
		return errors.New("a queue holds at least 1 notification")
	}
	s.graph().h.SetQueueLimits(n, 0)
	return nil
}

func (s graphNotifySteps) hookNoLifecycle(u, event string) error {
	hk, err := s.delivered(u)
	if err != nil {
		return err
	}
	return Check(s.noticesWhy(), func(g gomegaG) {
		g.Expect(hk.Lifecycle).NotTo(gomegaContainElement(event), "lifecycle notifications received")
	})
}
