package entra

import "net/http"

func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, rc *reqCtx, tenant string) {
	fail(http.StatusNotFound, "invalid_request", 900561, "not yet").write(w, rc)
}

func (h *Handler) deviceCode(w http.ResponseWriter, r *http.Request, rc *reqCtx, tenant string) {
	fail(http.StatusNotFound, "invalid_request", 900561, "not yet").write(w, rc)
}

func (h *Handler) deviceAuth(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	fail(http.StatusNotFound, "invalid_request", 900561, "not yet").write(w, rc)
}

func (c *grantCtx) authCode() outcome {
	return refuse(fail(http.StatusBadRequest, "unsupported_grant_type", 70003, "not yet"))
}

func (c *grantCtx) deviceCodeGrant() outcome {
	return refuse(fail(http.StatusBadRequest, "unsupported_grant_type", 70003, "not yet"))
}
