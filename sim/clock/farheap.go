package clock

// arity is the far heap's branching: four children per node halve its
// depth, and siblings share cache lines.
const arity = 4

func (k *calendar) farPush(n node) {
	k.far = push(k.far, n)
	k.up(len(k.far) - 1)
}

// farPop removes the far heap's top node.
func (k *calendar) farPop() {
	h := k.far
	last := len(h) - 1
	h[0] = h[last]
	k.far = h[:last]
	if last > 0 {
		k.down(0)
	}
}

// farHeapify restores the heap order after compaction.
func (k *calendar) farHeapify() {
	if len(k.far) < 2 {
		return
	}
	for i := (len(k.far) - 2) / arity; i >= 0; i-- {
		k.down(i)
	}
}

// up moves the node at i towards the root while it fires before its
// parent, shifting parents down into the hole rather than swapping.
func (k *calendar) up(i int) {
	h := k.far
	n := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !n.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = n
}

// down moves the node at i towards the leaves while a child fires before
// it.
func (k *calendar) down(i int) {
	h := k.far
	n := h[i]
	for {
		first := arity*i + 1
		if first >= len(h) {
			break
		}
		m := first
		for j, end := first+1, min(first+arity, len(h)); j < end; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&n) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = n
}
