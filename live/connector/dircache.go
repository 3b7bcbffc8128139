package connector

import (
	"context"
	"strings"
	"sync"
	"time"
)

// dirCache maps the directory's e-mail addresses (UPN and mail) to object
// ids for a writer that addresses presence by id. An address it does not
// have makes it read the directory again, at most every dirRetry, so a
// user added later is found and an unknown one costs no request storm.
type dirCache struct {
	graph *graphClient
	mu    sync.Mutex // held across a read: workers wait for one read
	m     map[string]string
	at    time.Time
}

// dirRetry is the least time between two reads for unknown addresses.
const dirRetry = 200 * time.Millisecond

// load reads the whole directory now and reports how many names it has.
func (d *dirCache) load(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.read(ctx)
}

func (d *dirCache) read(ctx context.Context) (int, error) {
	d.at = time.Now()
	m, err := d.graph.directory(ctx)
	if err != nil {
		return 0, err
	}
	d.m = m
	return len(m), nil
}

// lookup finds an address's object id; err is a failed read of the
// directory, ok false an address it does not hold.
func (d *dirCache) lookup(ctx context.Context, email string) (id string, ok bool, err error) {
	key := strings.ToLower(email)
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.m[key]; ok {
		return id, true, nil
	}
	if time.Since(d.at) < dirRetry {
		return "", false, nil
	}
	if _, err := d.read(ctx); err != nil {
		return "", false, err
	}
	id, ok = d.m[key]
	return id, ok, nil
}
