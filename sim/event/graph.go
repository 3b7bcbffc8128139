package event

import (
	"time"

	"github.com/presencesim/presencesim/sim/graph"
)

// The Graph fault inputs act on the world's Graph layer, which the Graph
// fake over HTTP and every in-process model's seam go through; they read
// as the steps of the Graph faults and start the layer's journal, as those
// steps do, so what was asked and answered can be judged (C-5).

// defaultRetryAfter is the Retry-After of an outage that names none, as
// the step reads it.
const defaultRetryAfter = 5 * time.Second

func graphOutage(in *input) error {
	l := in.w.GraphFaults()
	l.Watch()
	ra := in.ev.RetryAfter
	if ra <= 0 {
		ra = defaultRetryAfter
	}
	return l.SetFaults(graph.Faults{ErrorRate: float64(in.ev.Share) / 100, Statuses: []int{in.ev.Status}, RetryAfter: int(ra / time.Second)})
}

func graphRecovers(in *input) error {
	l := in.w.GraphFaults()
	l.Watch()
	return l.SetFaults(graph.Faults{})
}

// notes changes the notification faults about the acting user.
func notes(change func(*graph.NotifyFaults, *Event)) func(*input) error {
	return func(in *input) error {
		l := in.w.GraphFaults()
		l.Watch()
		nf := l.NotifyFaultsOf(in.u())
		change(&nf, &in.ev)
		return l.SetNotifyFaults(in.u(), nf)
	}
}
