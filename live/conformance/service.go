package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// serviceClient bounds the harness's calls to a connector service.
var serviceClient = &http.Client{Timeout: 10 * time.Second}

// startService asks a running connector service for a session with the
// fakes' environment.
func (s *Session) startService() error {
	env := map[string]string{}
	for _, kv := range s.Env.Vars() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	b, _ := json.Marshal(map[string]any{"env": env})
	resp, err := serviceClient.Post(s.target.URL, "application/json", bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("starting a session of %s: %w", s.target.Label(), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var res struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &res) != nil || res.ID == "" {
		return fmt.Errorf("starting a session of %s: it answered %d %q; want 201 {\"id\": …}", s.target.Label(), resp.StatusCode, strings.TrimSpace(string(body)))
	}
	s.serviceID = res.ID
	fmt.Fprintf(s.out, "presencesim: session %s of %s\n", res.ID, s.target.URL)
	return nil
}

// stopService ends the session and keeps the output the service returns.
func (s *Session) stopService() {
	req, _ := http.NewRequest(http.MethodDelete, s.target.URL+"/"+s.serviceID, nil)
	resp, err := serviceClient.Do(req)
	if err != nil {
		fmt.Fprintf(s.out, "presencesim: stopping session %s: %v\n", s.serviceID, err)
		close(s.exited)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(s.out, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(s.out, "presencesim: stopping session %s: answered %d\n", s.serviceID, resp.StatusCode)
	}
	close(s.exited)
}
