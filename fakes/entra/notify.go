package entra

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// NotificationPublisher is the application id Microsoft Graph's change
// notifications are published by: the appid of every validation token.
const NotificationPublisher = "0bf30f3b-4a52-48df-9a82-234910c4a086"

// validationClaims are a change notification's validation token: a v1.0
// token the identity platform issued to Graph's notification publisher
// for the subscribing application.
type validationClaims struct {
	Aud      string `json:"aud"`
	Iss      string `json:"iss"`
	Iat      int64  `json:"iat"`
	Nbf      int64  `json:"nbf"`
	Exp      int64  `json:"exp"`
	AppID    string `json:"appid"`
	AppIDAcr string `json:"appidacr"`
	Azp      string `json:"azp"`
	Idp      string `json:"idp"`
	Oid      string `json:"oid"`
	Sub      string `json:"sub"`
	Tid      string `json:"tid"`
	Uti      string `json:"uti"`
	Ver      string `json:"ver"`
}

// IssueValidationToken signs the validation token Graph puts in a rich
// notification for the subscribing app of the tenant: aud the app,
// appid the notification publisher, iss https://sts.windows.net/{tenant}/,
// valid from at for the access token lifetime, signed with the keys the
// discovery documents publish (G-RICH-1).
func (h *Handler) IssueValidationToken(tenant, appID string, at time.Time) string {
	t := at.Unix()
	sp := publisherPrincipal(tenant)
	return h.keys.sign(validationClaims{Aud: strings.ToLower(appID), Iss: stsIssuer(tenant), Iat: t, Nbf: t, Exp: t + int64(h.opt.Lifetime/time.Second),
		AppID: NotificationPublisher, AppIDAcr: "2", Azp: NotificationPublisher, Idp: stsIssuer(tenant), Oid: sp, Sub: sp, Tid: tenant, Uti: uti(), Ver: "1.0"})
}

// publisherPrincipal is the notification publisher's service principal in
// a tenant: the same id for the same tenant, as a directory would keep it.
func publisherPrincipal(tenant string) string {
	s := sha256.Sum256([]byte("change notification publisher|" + strings.ToLower(tenant)))
	x := hex.EncodeToString(s[:16])
	return x[0:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}
