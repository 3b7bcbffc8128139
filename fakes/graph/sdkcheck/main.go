// Command sdkcheck drives the fake Graph API with the official Microsoft
// Graph Go SDK: it serves the fake on a loopback port and reads and writes
// presence through the SDK's generated request builders, unchanged except
// for the base URL and a token provider that gets tokens from the fake.
//
// It lives in its own module so the main module does not carry the SDK.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
)

// tokens gets an access token from the fake's token endpoint.
type tokens struct {
	endpoint string
	form     url.Values
	tok      string
}

func (t *tokens) GetAuthorizationToken(ctx context.Context, _ *url.URL, _ map[string]interface{}) (string, error) {
	if t.tok != "" {
		return t.tok, nil
	}
	resp, err := http.PostForm(t.endpoint, t.form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token endpoint answered %d", resp.StatusCode)
	}
	t.tok = out.AccessToken
	return t.tok, nil
}

func (t *tokens) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	v, _ := authentication.NewAllowedHostsValidatorErrorCheck(nil)
	return v
}

func client(base string, tp *tokens) (*msgraphsdk.GraphServiceClient, error) {
	auth := authentication.NewBaseBearerTokenAuthenticationProvider(tp)
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(base + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter), nil
}

func check(ok bool, format string, args ...any) {
	if !ok {
		fmt.Fprintf(os.Stderr, "sdkcheck: FAIL: "+format+"\n", args...)
		os.Exit(1)
	}
	fmt.Printf("ok   "+format+"\n", args...)
}

func main() {
	w := sim.MustNew(1)
	var ids = map[string]string{}
	for _, n := range []string{"alice", "bob"} {
		u, _ := w.AddUser(n, "")
		ids[n] = w.Teams.Dir(u).ID
	}
	app, err := graph.IdentityOf(w).AddApp("", "sdk", []string{graph.PresenceReadAll, graph.PresenceReadWriteAll}, []string{graph.PresenceRead, graph.PresenceReadAll, graph.PresenceReadWrite})
	tenant := graph.IdentityOf(w).Tenant("").ID
	lw, lerr := live.New(w, live.Clock{Manual: true})
	if lerr != nil {
		panic(lerr)
	}
	h := graph.NewHandler(lw, graph.Options{})
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = http.Serve(ln, h) }()
	base := "http://" + ln.Addr().String()
	endpoint := base + "/" + tenant + "/oauth2/v2.0/token"
	ctx := context.Background()

	appClient, err := client(base, &tokens{endpoint: endpoint, form: url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {app.Secret}, "scope": {"https://graph.microsoft.com/.default"}}})
	if err != nil {
		panic(err)
	}
	p, err := appClient.Users().ByUserId(ids["alice"]).Presence().Get(ctx, nil)
	check(err == nil && *p.GetAvailability() == "Offline" && *p.GetId() == ids["alice"], "Users().ByUserId().Presence().Get reads Offline (err %v)", err)

	set := users.NewItemPresenceSetPresencePostRequestBody()
	set.SetSessionId(&app.AppID)
	av, act := "Busy", "InACall"
	set.SetAvailability(&av)
	set.SetActivity(&act)
	set.SetExpirationDuration(serialization.NewDuration(0, 0, 0, 1, 0, 0, 0))
	err = appClient.Users().ByUserId(ids["alice"]).Presence().SetPresence().Post(ctx, set, nil)
	check(err == nil, "Presence().SetPresence().Post Busy/InACall PT1H (err %v)", err)

	p, err = appClient.Communications().Presences().ByPresenceId(ids["alice"]).Get(ctx, nil)
	check(err == nil && *p.GetAvailability() == "Busy" && *p.GetActivity() == "InACall" && p.GetSequenceNumber() != nil,
		"Communications().Presences().ByPresenceId().Get reads Busy/InACall with a sequenceNumber (err %v)", err)

	bulk := communications.NewGetPresencesByUserIdPostRequestBody()
	bulk.SetIds([]string{ids["alice"], ids["bob"]})
	res, err := appClient.Communications().GetPresencesByUserId().PostAsGetPresencesByUserIdPostResponse(ctx, bulk, nil)
	check(err == nil && len(res.GetValue()) == 2, "Communications().GetPresencesByUserId() reads 2 presences (err %v)", err)

	bad := users.NewItemPresenceSetPresencePostRequestBody()
	bad.SetSessionId(&app.AppID)
	b1, b2 := "Busy", "Busy"
	bad.SetAvailability(&b1)
	bad.SetActivity(&b2)
	err = appClient.Users().ByUserId(ids["alice"]).Presence().SetPresence().Post(ctx, bad, nil)
	odataErr, isODataErr := err.(*odataerrors.ODataError) // the SDK decodes Graph's error body
	_ = odataErr
	check(isODataErr && odataErr.ResponseStatusCode == 400 && odataErr.GetErrorEscaped() != nil && *odataErr.GetErrorEscaped().GetCode() == "BadRequest",
		"setPresence Busy/Busy comes back as an ODataError 400 BadRequest (%v)", err)

	clr := users.NewItemPresenceClearPresencePostRequestBody()
	clr.SetSessionId(&app.AppID)
	err = appClient.Users().ByUserId(ids["alice"]).Presence().ClearPresence().Post(ctx, clr, nil)
	check(err == nil, "Presence().ClearPresence().Post (err %v)", err)

	_ = lw.Do(func(w *sim.World) error {
		alice, _ := w.Teams.User("alice")
		return w.Teams.SignIn(alice, 0)
	})

	me, err := client(base, &tokens{endpoint: endpoint, form: url.Values{"grant_type": {"password"}, "client_id": {app.AppID}, "username": {"alice@contoso.com"}, "password": {"alice-pw"}, "scope": {"https://graph.microsoft.com/.default"}}})
	if err != nil {
		panic(err)
	}
	pref := users.NewItemPresenceSetUserPreferredPresencePostRequestBody()
	d1, d2 := "DoNotDisturb", "DoNotDisturb"
	pref.SetAvailability(&d1)
	pref.SetActivity(&d2)
	pref.SetExpirationDuration(serialization.NewDuration(0, 0, 0, 8, 0, 0, 0))
	err = me.Users().ByUserId(ids["alice"]).Presence().SetUserPreferredPresence().Post(ctx, pref, nil)
	check(err == nil, "delegated SetUserPreferredPresence().Post DoNotDisturb PT8H (err %v)", err)

	msg := users.NewItemPresenceSetStatusMessagePostRequestBody()
	sm := models.NewPresenceStatusMessage()
	ib := models.NewItemBody()
	content := "Back at three"
	text := models.TEXT_BODYTYPE
	ib.SetContent(&content)
	ib.SetContentType(&text)
	sm.SetMessage(ib)
	exp := models.NewDateTimeTimeZone()
	dt, tz := time.Date(2026, 1, 6, 17, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05"), "UTC"
	exp.SetDateTime(&dt)
	exp.SetTimeZone(&tz)
	sm.SetExpiryDateTime(exp)
	msg.SetStatusMessage(sm)
	err = me.Users().ByUserId(ids["alice"]).Presence().SetStatusMessage().Post(ctx, msg, nil)
	check(err == nil, "delegated SetStatusMessage().Post (err %v)", err)

	mp, err := me.Me().Presence().Get(ctx, nil)
	check(err == nil && *mp.GetAvailability() == "DoNotDisturb" && mp.GetStatusMessage() != nil && *mp.GetStatusMessage().GetMessage().GetContent() == content &&
		mp.GetOutOfOfficeSettings() != nil && !*mp.GetOutOfOfficeSettings().GetIsOutOfOffice(),
		"Me().Presence().Get reads DoNotDisturb, the status message and outOfOfficeSettings (err %v)", err)

	err = me.Users().ByUserId(ids["alice"]).Presence().ClearUserPreferredPresence().Post(ctx, nil)
	check(err == nil, "ClearUserPreferredPresence().Post (err %v)", err)
	mp, err = me.Me().Presence().Get(ctx, nil)
	check(err == nil && *mp.GetAvailability() == "Available", "after clearing the preferred presence Me().Presence().Get reads Available (err %v)", err)

	_, err = appClient.Me().Presence().Get(ctx, nil)
	odataErr, isODataErr = err.(*odataerrors.ODataError)
	check(isODataErr && odataErr.ResponseStatusCode == 400, "an application token on /me is refused with an ODataError (%v)", err)

	hook := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("validationToken"); t != "" {
			rw.Header().Set("Content-Type", "text/plain")
			_, _ = rw.Write([]byte(t))
			return
		}
		rw.WriteHeader(http.StatusAccepted)
	})}
	hl, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = hook.Serve(hl) }()
	sub := models.NewSubscription()
	ct, nurl, res2 := "updated", "http://"+hl.Addr().String()+"/hook", "/communications/presences/"+ids["bob"]
	expiry := lw.Now().Add(30 * time.Minute).Wall()
	sub.SetChangeType(&ct)
	sub.SetNotificationUrl(&nurl)
	sub.SetResource(&res2)
	sub.SetExpirationDateTime(&expiry)
	created, err := me.Subscriptions().Post(ctx, sub, nil)
	check(err == nil && created.GetId() != nil, "Subscriptions().Post creates a presence subscription after the validation handshake (err %v)", err)
	err = me.Subscriptions().BySubscriptionId(*created.GetId()).Delete(ctx, nil)
	check(err == nil, "Subscriptions().BySubscriptionId().Delete (err %v)", err)
	fmt.Println("sdkcheck: the Microsoft Graph Go SDK reads and writes presence through the fake")
}
