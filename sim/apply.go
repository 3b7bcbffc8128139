package sim

// Input is something that happens to a world from outside: a person's
// action, an app's write, an integration's fault. Package sim/event holds
// every input in one table; Apply is the one way they reach a world.
type Input interface {
	ApplyTo(w *World) error
}

// Apply lets the input act on the world now.
func (w *World) Apply(in Input) error { return in.ApplyTo(w) }
