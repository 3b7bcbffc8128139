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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.env.PBXURL+"/users", nil)
	if err != nil {
		return out, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("GET /pbx/users answered %d", resp.StatusCode)
	}
	return out, json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&out)
}

// stream follows the event stream from after id until it ends or fn fails;
// it returns the id of the last event seen.
func (p *pbxClient) stream(ctx context.Context, after uint64, fn func(pbxapi.Event)) (uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.env.PBXURL+"/events", nil)
	if err != nil {
		return after, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", strconv.FormatUint(after, 10))
	resp, err := p.http.Do(req)
	if err != nil {
		return after, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return after, fmt.Errorf("GET /pbx/events answered %d", resp.StatusCode)
	}
	last := after
	err = parseSSE(resp.Body, func(e sseEvent) error {
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
