package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Service runs connector sessions on request, for a connector that is
// already running when the harness starts: POST / with {"env": {NAME:
// value}} starts a session with that environment and answers 201
// {"id": "…"}; DELETE /{id} stops it and answers with its output.
type Service struct {
	// Run runs one session until ctx ends, writing its output to out.
	Run func(ctx context.Context, env Env, out io.Writer) error

	mu       sync.Mutex
	next     int
	sessions map[string]*serviceSession
}

type serviceSession struct {
	cancel context.CancelFunc
	done   chan struct{}
	out    bytes.Buffer
	mu     sync.Mutex
	err    error
}

func (s *serviceSession) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// ServeHTTP starts and stops sessions.
func (sv *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := strings.Trim(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && id == "":
		var body struct {
			Env map[string]string `json:"env"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
			http.Error(w, `want {"env": {"PRESENCESIM_GRAPH_URL": "…", …}}`, http.StatusBadRequest)
			return
		}
		env, err := ReadEnv(func(k string) string { return body.Env[k] })
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		ss := &serviceSession{cancel: cancel, done: make(chan struct{})}
		sv.mu.Lock()
		if sv.sessions == nil {
			sv.sessions = map[string]*serviceSession{}
		}
		sv.next++
		id = strconv.Itoa(sv.next)
		sv.sessions[id] = ss
		sv.mu.Unlock()
		go func() {
			defer close(ss.done)
			ss.err = sv.Run(ctx, env, ss)
		}()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
	case r.Method == http.MethodDelete && id != "":
		sv.mu.Lock()
		ss := sv.sessions[id]
		delete(sv.sessions, id)
		sv.mu.Unlock()
		if ss == nil {
			http.Error(w, "no session "+id, http.StatusNotFound)
			return
		}
		ss.cancel()
		<-ss.done
		if ss.err != nil {
			fmt.Fprintf(ss, "session ended: %v\n", ss.err)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ss.mu.Lock()
		_, _ = w.Write(ss.out.Bytes())
		ss.mu.Unlock()
	default:
		http.Error(w, "POST / to start a session, DELETE /{id} to stop it", http.StatusMethodNotAllowed)
	}
}

// Close stops every session.
func (sv *Service) Close() {
	sv.mu.Lock()
	all := sv.sessions
	sv.sessions = nil
	sv.mu.Unlock()
	for _, ss := range all {
		ss.cancel()
		<-ss.done
	}
}

// serve runs the service on addr until ctx ends.
func serve(ctx context.Context, addr string, sv *Service, stdout io.Writer) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sv}
	fmt.Fprintf(stdout, "serving connector sessions at http://%s/ (POST to start one, DELETE /{id} to stop it)\n", l.Addr())
	go func() {
		<-ctx.Done()
		sv.Close()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}
