package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph/richnotify"
	"github.com/presencesim/presencesim/sim"
)

var (
	subscriberOnce sync.Once
	subscriberCert *richnotify.Certificate
)

// subscriber is one 2048-bit certificate for the package's tests: key
// generation is slow under the race detector.
func subscriber(t testing.TB) *richnotify.Certificate {
	subscriberOnce.Do(func() {
		c, err := richnotify.NewCertificate(2048)
		if err != nil {
			panic(err)
		}
		subscriberCert = c
	})
	return subscriberCert
}

// rsaCertOfBits is a certificate for an RSA public key of exactly bits
// bits (richnotify.PublicOnly).
func rsaCertOfBits(t testing.TB, bits int) string {
	c, err := richnotify.PublicOnly(bits)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) subscribeRich(tok, cert, certID, lifecycle string) (int, []byte) {
	f.t.Helper()
	body := map[string]any{"changeType": "updated", "notificationUrl": "https://hooks.example.com/rich", "includeResourceData": true,
		"resource": "communications/presences/" + f.ids["alice"], "expirationDateTime": f.lw.Now().Wall().Add(45 * time.Minute).Format(time.RFC3339)}
	if cert != "-" {
		body["encryptionCertificate"] = cert
	}
	if certID != "-" {
		body["encryptionCertificateId"] = certID
	}
	if lifecycle != "" {
		body["lifecycleNotificationUrl"] = lifecycle
	}
	b, _ := json.Marshal(body)
	st, out, _ := f.do("POST", "/v1.0/subscriptions", tok, string(b))
	return st, out
}

func (f *fixture) notifications(url string) []NotificationPayload {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []NotificationPayload
	for _, d := range f.rx {
		if d.Validation || d.URL != url {
			continue
		}
		var p NotificationPayload
		if err := json.Unmarshal(d.Body, &p); err != nil {
			f.t.Fatalf("notification to %s: %v: %s", url, err, d.Body)
		}
		out = append(out, p)
	}
	return out
}

func (f *fixture) jwks() richnotify.JWKS {
	f.t.Helper()
	resp, err := f.c.Get("https://login.microsoftonline.com/common/discovery/keys")
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var ks richnotify.JWKS
	if err := json.NewDecoder(resp.Body).Decode(&ks); err != nil || len(ks.Keys) == 0 {
		f.t.Fatalf("the discovery keys: %v, %d keys", err, len(ks.Keys))
	}
	return ks
}

func TestRichNotificationsDecrypt(t *testing.T) {
	f := newFixture(t, Options{})
	cert := subscriber(t)
	if st, b := f.subscribeRich(f.userToken("alice"), cert.Base64, "presence-cert-1", ""); st != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", st, b)
	}
	f.change(2)
	f.h.Flush(context.Background())
	got := f.notifications("https://hooks.example.com/rich")
	if len(got) != 2 {
		t.Fatalf("%d notifications; want 2", len(got))
	}
	tenant := f.h.Identity().Tenant("contoso").ID
	keys := f.jwks()
	want := []struct{ availability, activity string }{{"Busy", "InACall"}, {"Away", "Away"}}
	var dataKeys []string
	for i, p := range got {
		if len(p.Value) != 1 || p.Value[0].EncryptedContent == nil {
			t.Fatalf("notification %d has no encryptedContent: %+v", i, p)
		}
		item := p.Value[0]
		ec := richnotify.EncryptedContent(*item.EncryptedContent)
		if ec.EncryptionCertificateID != "presence-cert-1" || len(ec.EncryptionCertificateThumbprint) != 40 {
			t.Fatalf("certificate id %q, thumbprint %q", ec.EncryptionCertificateID, ec.EncryptionCertificateThumbprint)
		}
		plain, err := richnotify.Decrypt(ec, cert.Key)
		if err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
		var pr struct {
			ODataID      string `json:"@odata.id"`
			ODataType    string `json:"@odata.type"`
			ID           string `json:"id"`
			Availability string `json:"availability"`
			Activity     string `json:"activity"`
		}
		if err := json.Unmarshal(plain, &pr); err != nil {
			t.Fatalf("decrypted %q: %v", plain, err)
		}
		alice := f.ids["alice"]
		if pr.ID != alice || pr.ODataID != "users/"+alice+"/presence" || pr.ODataType != "#microsoft.graph.presence" || pr.Availability != want[i].availability || pr.Activity != want[i].activity {
			t.Fatalf("notification %d decrypted to %s; want alice as %s/%s", i, plain, want[i].availability, want[i].activity)
		}
		if len(p.ValidationTokens) != 1 {
			t.Fatalf("%d validation tokens; want 1", len(p.ValidationTokens))
		}
		if err := richnotify.ValidateToken(p.ValidationTokens[0], keys, f.app.AppID, tenant, f.h.Entra().Now()); err != nil {
			t.Fatalf("validation token: %v", err)
		}
		if err := richnotify.ValidateToken(p.ValidationTokens[0], keys, "11111111-1111-4111-8111-111111111111", tenant, f.h.Entra().Now()); err == nil {
			t.Fatal("the validation token validated for another app")
		}
		dataKeys = append(dataKeys, ec.DataKey)
		// A changed byte of data fails the HMAC check.
		data, _ := base64.StdEncoding.DecodeString(ec.Data)
		data[0] ^= 1
		ec.Data = base64.StdEncoding.EncodeToString(data)
		if _, err := richnotify.Decrypt(ec, cert.Key); !errors.Is(err, richnotify.ErrSignature) {
			t.Fatalf("altered data decrypted: %v", err)
		}
	}
	if dataKeys[0] == dataKeys[1] {
		t.Fatal("two notifications share their symmetric key")
	}
}

func TestRichSubscriptionCertificates(t *testing.T) {
	ec, err := richnotify.ECDSA()
	if err != nil {
		t.Fatal(err)
	}
	good := subscriber(t).Base64
	cases := []struct {
		name, cert, id string
		status         int
		says           string
	}{
		{"2048 bits", good, "c1", 201, ""},
		{"4096 bits", rsaCertOfBits(t, 4096), "c1", 201, ""},
		{"an id of 128 characters", good, strings.Repeat("é", 128), 201, ""},
		{"line breaks in the base64", good[:64] + "\r\n" + good[64:], "c1", 201, ""},
		{"no certificate", "-", "c1", 400, "encryptionCertificate is required"},
		{"an empty certificate", "", "c1", 400, "encryptionCertificate is required"},
		{"no id", good, "-", 400, "encryptionCertificateId is required"},
		{"an id of 129 characters", good, strings.Repeat("x", 129), 400, "at most 128"},
		{"not base64", "not*base64!", "c1", 400, "not base64"},
		{"base64 of no certificate", base64.StdEncoding.EncodeToString([]byte("hello")), "c1", 400, "not a DER-encoded X.509"},
		{"an ECDSA key", ec, "c1", 400, "need an RSA key"},
		{"1024 bits", rsaCertOfBits(t, 1024), "c1", 400, "has 1024 bits"},
		{"4097 bits", rsaCertOfBits(t, 4097), "c1", 400, "has 4097 bits"},
		{"too long", strings.Repeat("A", maxCertificate+4), "c1", 400, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			st, b := f.subscribeRich(f.userToken("alice"), c.cert, c.id, "")
			var eb ErrorBody
			_ = json.Unmarshal(b, &eb)
			if st != c.status || !strings.Contains(eb.Error.Message, c.says) {
				t.Fatalf("%d %s; want %d saying %q", st, b, c.status, c.says)
			}
			if st != 201 {
				return
			}
			var sub Subscription
			_ = json.Unmarshal(b, &sub)
			if !sub.IncludeResourceData || sub.EncryptionCertificateID == nil || *sub.EncryptionCertificateID != c.id {
				t.Fatalf("the subscription reads %s", b)
			}
		})
	}
}

// Basic notifications name the resource as it was subscribed.
func TestBasicNotificationEchoesResource(t *testing.T) {
	f := newFixture(t, Options{})
	res := "/communications/presences?$filter=id in ('" + f.ids["alice"] + "','" + f.ids["bob"] + "')"
	b, _ := json.Marshal(map[string]string{"changeType": "updated", "notificationUrl": "https://hooks.example.com/n", "resource": res,
		"expirationDateTime": f.lw.Now().Wall().Add(30 * time.Minute).Format(time.RFC3339)})
	if st, out, _ := f.do("POST", "/v1.0/subscriptions", f.userToken("carol"), string(b)); st != 201 {
		t.Fatalf("subscribe: %d %s", st, out)
	}
	f.change(1)
	f.h.Flush(context.Background())
	got := f.notifications("https://hooks.example.com/n")
	if len(got) != 1 || got[0].Value[0].Resource != res || got[0].Value[0].EncryptedContent != nil || got[0].ValidationTokens != nil {
		t.Fatalf("notifications %+v; want one basic notification about %s", got, res)
	}
}

// BenchmarkNotificationBody compares what a rich notification costs to
// make with a basic one's: the encryption with a fresh key per item, the
// validation token reused.
func BenchmarkNotificationBody(b *testing.B) {
	f := newFixture(&testing.T{}, Options{})
	cert := subscriber(b)
	k, e := readCertificate(&cert.Base64, new(string("c1")))
	if e != nil {
		b.Fatal(e)
	}
	var sub *Subscription
	f.subscribe(1, func(int) string { return "https://hooks.example.com/n" })
	_ = f.lw.Do(func(*sim.World) error {
		sub = f.h.subs.all[0]
		return nil
	})
	alice := f.ids["alice"]
	b.Run("basic", func(b *testing.B) {
		_ = f.lw.Do(func(*sim.World) error {
			for i := 0; i < b.N; i++ {
				notificationBody(sub, alice, 0)
			}
			return nil
		})
	})
	b.Run("rich", func(b *testing.B) {
		_ = f.lw.Do(func(*sim.World) error {
			sub.rich = k
			for i := 0; i < b.N; i++ {
				if f.h.subs.richBody(sub, alice, 0) == nil {
					b.Fatal("no body")
				}
			}
			sub.rich = nil
			return nil
		})
	})
}
