package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/fakes/graph/richnotify"
	"github.com/presencesim/presencesim/sim/presence"
)

func init() { register("Microsoft Graph notifications", 71, registerGraphNotify) }

// Rich notifications (G-RICH-1) and the subscription lifecycle (G-SUB-2),
// seen from the subscriber's side.
func registerGraphNotify(s *Scenario, r *registry) {
	r.step(`^the latest notification at (\S+) decrypts to (\w+) as (\S+)$`, "the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall", s.gRichDecrypts)
	r.step(`^the latest notification at (\S+) no longer decrypts once a byte of its data is changed$`, "the latest notification at https://hooks.example.com/presence no longer decrypts once a byte of its data is changed", s.gRichTampered)
	r.step(`^the validation token of the latest notification at (\S+) is (valid|not valid) for the Graph app "([^"]+)"$`, `the validation token of the latest notification at https://hooks.example.com/presence is valid for the Graph app "watcher"`, s.gRichToken)
	r.step(`^the last (\d+) notifications at (\S+) were encrypted with different keys$`, "the last 2 notifications at https://hooks.example.com/presence were encrypted with different keys", s.gRichKeys)
	r.step(`^the Graph app "([^"]+)" renews its subscription every (.+) for (.+)$`, `the Graph app "watcher" renews its subscription every 50 minutes for 4 hours 30 minutes`, s.gRenewEvery)
	r.step(`^Graph queues at most (\d+) notifications? per notification URL$`, "Graph queues at most 1 notification per notification URL", s.gQueueCap)
	r.step(`^the webhook at (\S+) has received no lifecycle notification "(\w+)"$`, `the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "missed"`, s.gHookNoLifecycle)
}

var (
	gCertOnce sync.Once
	gCert     *richnotify.Certificate
	gCertErr  error
)

// gSubscriberCert is the subscribers' encryption certificate: one RSA-2048
// key for the run, as generating one per scenario is slow.
func gSubscriberCert() (*richnotify.Certificate, error) {
	gCertOnce.Do(func() { gCert, gCertErr = richnotify.NewCertificate(2048) })
	return gCert, gCertErr
}

// gRichPlaceholder tells whether key is one of the placeholders
// gRichExpand fills.
func gRichPlaceholder(key string) bool {
	return key == "certificate" || strings.HasPrefix(key, "certificate:") || strings.HasPrefix(key, "chars:")
}

// gRichExpand fills {certificate} (the subscribers' certificate, base64),
// {certificate:thumbprint}, {certificate:ecdsa}, {certificate:rsa-N} (a
// certificate of an N-bit RSA key nobody holds) and {chars:N} (N letters).
func gRichExpand(key string) (string, error) {
	kind, arg, _ := strings.Cut(key, ":")
	if kind == "chars" {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > 1<<16 {
			return "", fmt.Errorf("{%s}: write {chars:N} with a count", key)
		}
		return strings.Repeat("x", n), nil
	}
	c, err := gSubscriberCert()
	if err != nil {
		return "", err
	}
	switch {
	case arg == "":
		return c.Base64, nil
	case arg == "thumbprint":
		return richnotify.Thumbprint(c.Base64)
	case arg == "ecdsa":
		return richnotify.ECDSA()
	case strings.HasPrefix(arg, "rsa-"):
		bits, err := strconv.Atoi(arg[4:])
		if err != nil || bits < 16 || bits > 16384 {
			return "", fmt.Errorf("{%s}: write {certificate:rsa-2048} with a key size of 16 to 16384 bits", key)
		}
		return richnotify.PublicOnly(bits)
	}
	return "", fmt.Errorf("{%s}: the certificate placeholders are {certificate}, {certificate:thumbprint}, {certificate:ecdsa} and {certificate:rsa-N}", key)
}

// gLatestPayload is the latest notification the webhook received, decoded.
func (s *Scenario) gLatestPayload(u string) (graph.NotificationPayload, []byte, error) {
	s.gFlush()
	var p graph.NotificationPayload
	hk, err := s.gHookOf(u)
	if err != nil {
		return p, nil, err
	}
	if len(hk.received) == 0 {
		return p, nil, Check(s.gNoticesWhy(), func(g gomegaG) { g.Expect(len(hk.received)).NotTo(equal(0), "notifications received") })
	}
	body := hk.received[len(hk.received)-1]
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

func (s *Scenario) gRichDecrypts(u, name, want string) error {
	p, body, err := s.gLatestPayload(u)
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
	cert, err := gSubscriberCert()
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

func (s *Scenario) gRichTampered(u string) error {
	p, body, err := s.gLatestPayload(u)
	if err != nil {
		return err
	}
	ec, err := gContent(p, body)
	if err != nil {
		return err
	}
	cert, err := gSubscriberCert()
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

// gKeys reads the JSON Web Key Set at the identity platform's discovery
// keys endpoint over HTTP, as a subscriber would.
func (s *Scenario) gKeys() (richnotify.JWKS, error) {
	var ks richnotify.JWKS
	resp, err := s.graph().client.Get("https://" + graph.LoginHost + "/common/discovery/keys")
	if err != nil {
		return ks, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ks, fmt.Errorf("the discovery keys endpoint answered %d", resp.StatusCode)
	}
	return ks, json.NewDecoder(resp.Body).Decode(&ks)
}

func (s *Scenario) gRichToken(u, how, app string) error {
	p, body, err := s.gLatestPayload(u)
	if err != nil {
		return err
	}
	a, err := s.gApp(app)
	if err != nil {
		return err
	}
	ks, err := s.gKeys()
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

func (s *Scenario) gRichKeys(n int, u string) error {
	s.gFlush()
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	if len(hk.received) < n {
		return Check(s.gNoticesWhy(), func(g gomegaG) { g.Expect(len(hk.received)).To(gomegaBeNumerically(">=", n), "notifications received") })
	}
	seen := map[string]bool{}
	for _, b := range hk.received[len(hk.received)-n:] {
		var p graph.NotificationPayload
		_ = json.Unmarshal(b, &p)
		for _, v := range p.Value {
			if v.EncryptedContent != nil {
				seen[v.EncryptedContent.DataKey] = true
			}
		}
	}
	return Check(s.gNoticesWhy(), func(g gomegaG) { g.Expect(len(seen)).To(equal(n), "distinct dataKeys") })
}

// gRenewEvery lets time pass in slices of at most 10 minutes, delivering
// what falls due after each, and renews the last subscription for an
// hour every so often while Graph keeps it.
func (s *Scenario) gRenewEvery(app, every, total string) error {
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
			if err := s.gDo(app, http.MethodPatch, "/v1.0/subscriptions/{sub}", `{"expirationDateTime": "{now+1 hour}"}`); err != nil {
				return err
			}
			switch st := s.graph().last.status; st {
			case http.StatusOK:
			case http.StatusNotFound:
				alive = false // Graph dropped it: the scenario says what follows
			default:
				return fmt.Errorf("renewing the subscription answered %d: %s", st, s.graph().last.body)
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
		s.gFlush()
	}
}

func (s *Scenario) gQueueCap(n int) error {
	if n < 1 {
		return errors.New("a queue holds at least 1 notification")
	}
	s.graph().h.SetQueueLimits(n, 0)
	return nil
}

func (s *Scenario) gHookNoLifecycle(u, event string) error {
	s.gFlush()
	hk, err := s.gHookOf(u)
	if err != nil {
		return err
	}
	return Check(s.gNoticesWhy(), func(g gomegaG) {
		g.Expect(hk.lifecycle).NotTo(gomegaContainElement(event), "lifecycle notifications received")
	})
}
