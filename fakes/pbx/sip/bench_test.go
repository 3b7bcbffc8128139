package sip_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

const benchExtensions = 1000

// BenchmarkNotifyAll subscribes to 1,000 extensions over TCP, rings every
// line and waits for all 1,000 NOTIFYs; bare-transactions is the same
// number of OPTIONS transactions on the same sockets, the floor of the
// SIP stack.
func BenchmarkNotifyAll(b *testing.B) {
	w := sim.MustNew(1)
	p := pbx.Of(w)
	for k := range benchExtensions {
		id, err := w.AddUser("user"+strconv.Itoa(k), "")
		if err != nil {
			b.Fatal(err)
		}
		i, _ := p.Ensure(id)
		_ = p.SetSIP(i, "", "pw")
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := sip.New(lw, sip.Options{NotifyTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	wa, err := watch.New(addr, "tcp", "201", "pw")
	if err != nil {
		b.Fatal(err)
	}
	defer wa.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, benchExtensions)
	for k := range benchExtensions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := wa.Subscribe(ctx, strconv.Itoa(201+k), "dialog", 3600); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if err := wa.Wait(ctx, func(ns []watch.Notify) bool { return len(ns) >= benchExtensions }); err != nil {
		b.Fatal(err)
	}
	ringing := false
	b.Run("notify-all", func(b *testing.B) {
		for b.Loop() {
			got, _ := wa.Notifies()
			before := len(got)
			ev := pbx.Incoming
			if ringing {
				ev = pbx.HangUp
			}
			ringing = !ringing
			_ = lw.Do(func(w *sim.World) error {
				for i := range benchExtensions {
					if err := pbx.Of(w).LineEvent(i, pbx.DeskPhone, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err := wa.Wait(ctx, func(ns []watch.Notify) bool { return len(ns) >= before+benchExtensions }); err != nil {
				got, _ := wa.Notifies()
				b.Fatalf("%d of %d NOTIFYs: %v (%+v)", len(got)-before, benchExtensions, err, srv.Stats())
			}
		}
	})
	b.Run("bare-transactions", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for range benchExtensions {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := gosip.NewRequest(gosip.OPTIONS, wa.URI("201"))
					if res, err := wa.Send(ctx, req); err != nil || res.StatusCode != 200 {
						panic(fmt.Sprint("OPTIONS: ", res, err))
					}
				}()
			}
			wg.Wait()
		}
	})
}
