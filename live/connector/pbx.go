package connector

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID    string
	Event string
	Data  string
}

// maxSSELine bounds one line of the stream.
const maxSSELine = 1 << 20

// parseSSE reads a text/event-stream and calls fn for every complete event;
// comments and unknown fields are skipped, as the HTML standard says.
func parseSSE(r io.Reader, fn func(sseEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxSSELine)
	var ev sseEvent
	var data []string
	has := false
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if has {
				ev.Data = strings.Join(data, "\n")
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, data, has = sseEvent{ID: ev.ID}, data[:0], false
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID, has = value, true
		case "event":
			ev.Event, has = value, true
		case "data":
			data, has = append(data, value), true
		}
	}
	return sc.Err()
}

// pbxClient reads the PBX: the users, then the event stream.
type pbxClient struct {
	env  Env
	http *http.Client
}

func (p *pbxClient) users(ctx context.Context) (pbxapi.Users, error) {
	var out pbxapi.Users
	body, err := p.get(ctx, "/users", nil)
	if err != nil {
		return out, err
	}
	defer body.Close()
	return out, json.NewDecoder(io.LimitReader(body, 16<<20)).Decode(&out)
}

// get requests a path of the PBX fake with the given headers and returns the
// body of its 200 answer; any other status is an error.
func (p *pbxClient) get(ctx context.Context, path string, header http.Header) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.env.PBXURL+path, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET /pbx%s answered %d", path, resp.StatusCode)
	}
	return resp.Body, nil
}

// stream follows the event stream from after id until it ends or fn fails;
// it returns the id of the last event seen.
func (p *pbxClient) stream(ctx context.Context, after uint64, fn func(pbxapi.Event)) (uint64, error) {
	body, err := p.get(ctx, "/events", http.Header{
		"Accept":        {"text/event-stream"},
		"Last-Event-ID": {strconv.FormatUint(after, 10)},
	})
	if err != nil {
		return after, err
	}
	defer body.Close()
	last := after
	err = parseSSE(body, func(e sseEvent) error {
		var ev pbxapi.Event
		if err := json.Unmarshal([]byte(e.Data), &ev); err != nil {
			return fmt.Errorf("PBX event %s: %w", e.ID, err)
		}
		if ev.ID > last {
			last = ev.ID
		}
		fn(ev)
		return nil
	})
	return last, err
}
