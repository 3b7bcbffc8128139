package conformance

import (
	"strconv"
	"testing"
)

// A session keeps a bounded tail of a reader's views, oldest first, the
// newest always among them: a reader of a tenant reports all day.
func TestViewsKeepABoundedTail(t *testing.T) {
	s := &Session{}
	const n = 3*MaxViews + 7
	for i := range n {
		s.views.keep(View{ID: strconv.Itoa(i)})
	}
	got := s.Views()
	if len(got) == 0 || len(got) > MaxViews {
		t.Fatalf("%d views kept after %d reports; want 1 to %d", len(got), n, MaxViews)
	}
	if last := got[len(got)-1].ID; last != strconv.Itoa(n-1) {
		t.Errorf("the last view kept is %s, want the newest, %d", last, n-1)
	}
	for i := 1; i < len(got); i++ {
		a, _ := strconv.Atoi(got[i-1].ID)
		b, _ := strconv.Atoi(got[i].ID)
		if b != a+1 {
			t.Fatalf("views kept out of order or with a gap: %d then %d", a, b)
		}
	}
	if v, ok := s.Sees(strconv.Itoa(n - 1)); !ok || v.ID != strconv.Itoa(n-1) {
		t.Errorf("Sees does not find the newest view: %+v %v", v, ok)
	}
}
