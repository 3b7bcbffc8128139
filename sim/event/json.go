package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
)

// The control API posts an event as a JSON object: "event" is the row's
// JSON name, the other keys are the fields its phrase names, each a string
// as the phrase writes it ("users" is a list of names; a duration may also
// be a Go duration such as "2h"):
//
//	{"event": "setPreferred", "user": "alice", "presence": "Busy", "duration": "2h"}

// maxJSON bounds a body the decoder reads.
const maxJSON = 64 << 10

// DecodeJSON reads an event from a control API body at time now. Every
// error says what is wrong and what is valid.
func DecodeJSON(body []byte, now clock.Time) (Event, error) {
	if len(body) > maxJSON {
		return Event{}, fmt.Errorf("the body is larger than %d bytes", maxJSON)
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil {
		return Event{}, fmt.Errorf("invalid JSON body: %v", err)
	}
	if dec.More() {
		return Event{}, errors.New("invalid JSON body: one object only")
	}
	if obj == nil {
		return Event{}, errors.New(`write a JSON object such as {"event": "signIn", "user": "alice", "client": "web"}`)
	}
	var name string
	if err := json.Unmarshal(obj["event"], &name); err != nil || name == "" {
		return Event{}, fmt.Errorf(`"event" names the input as a string; valid: %s`, jsonNames())
	}
	op, ok := opOfJSON(name)
	if !ok {
		return Event{}, fmt.Errorf("unknown event %q; valid: %s", clip(name), jsonNames())
	}
	r := &rows[op]
	ev := Event{Op: op}
	takes, keys := r.fields(), r.keys()
	for _, k := range sortedKeys(obj) {
		if k == "event" {
			continue
		}
		i := slices.Index(keys, k)
		if i < 0 {
			return Event{}, fmt.Errorf("%s takes no %q; it takes: %s", r.json, clip(k), takesList(keys))
		}
		f := fields[takes[i]]
		var err error
		if f.list {
			var list []string
			if json.Unmarshal(obj[k], &list) != nil {
				return Event{}, fmt.Errorf("%s: %q is a list of names, such as [\"alice\", \"bob\"]", r.json, k)
			}
			err = f.setList(&ev, list)
		} else {
			var s string
			if json.Unmarshal(obj[k], &s) != nil {
				return Event{}, fmt.Errorf("%s: %q is a string", r.json, k)
			}
			err = f.set(&ev, s, now)
		}
		if err != nil {
			return Event{}, fmt.Errorf("%s: %s: %v", r.json, k, err)
		}
	}
	if len(ev.Users) < r.users {
		return Event{}, fmt.Errorf("%s names %d people, needs %d: give %s", r.json, countNames(ev.Users), r.users, takesList(keys))
	}
	for _, n := range ev.Users {
		if n == "" {
			return Event{}, fmt.Errorf("%s needs %s", r.json, takesList(keys))
		}
	}
	return ev, nil
}

// EncodeJSON writes the event as the control API reads it.
func (ev Event) EncodeJSON() ([]byte, error) {
	if ev.Op >= NumOps {
		return nil, fmt.Errorf("no input %d", ev.Op)
	}
	obj := map[string]any{"event": rows[ev.Op].json}
	for _, p := range rows[ev.Op].fields() {
		f := fields[p]
		switch {
		case f.list:
			obj[jsonKey(p)] = ev.Users
		case f.get(&ev) != "":
			obj[jsonKey(p)] = f.get(&ev)
		}
	}
	return json.Marshal(obj)
}

func (r *row) fields() []string {
	if r.tmpl == nil {
		return nil
	}
	return fieldsOf(r.tmpl.parts, nil)
}

// keys lists the JSON keys of the row's fields, in the order of fields.
func (r *row) keys() []string {
	var out []string
	for _, p := range r.fields() {
		out = append(out, jsonKey(p))
	}
	return out
}

func opOfJSON(name string) (Op, bool) {
	for o := range rows {
		if o > 0 && rows[o].json == name {
			return Op(o), true
		}
	}
	return 0, false
}

func countNames(ns []string) int {
	n := 0
	for _, s := range ns {
		if s != "" {
			n++
		}
	}
	return n
}

func takesList(fs []string) string {
	if len(fs) == 0 {
		return "nothing more"
	}
	return `"` + strings.Join(fs, `", "`) + `"`
}

func sortedKeys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
