package explore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"3/8", Shard{3, 8}, ""},
		{"1/1", Shard{1, 1}, ""},
		{" 8 / 8 ", Shard{8, 8}, ""},
		{"0/8", Shard{}, "1 ≤ k ≤ n"},
		{"9/8", Shard{}, "1 ≤ k ≤ n"},
		{"1/0", Shard{}, "1 ≤ k ≤ n"},
		{"3", Shard{}, "want k/n"},
		{"a/b", Shard{}, "want k/n"},
		{"", Shard{}, "want k/n"},
	} {
		got, err := ParseShard(c.in)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseShard(%q) = %v, %v; want an error saying %q", c.in, got, err, c.err)
		}
	}
}

// The shards of a range are contiguous, cover it exactly, and differ in
// size by at most one seed.
func TestShardsPartitionTheSeeds(t *testing.T) {
	for _, count := range []int{0, 1, 7, 8, 9, 1000, 1001} {
		for _, n := range []int{1, 3, 8} {
			next, lo, hi := uint64(5), count, 0
			for k := 1; k <= n; k++ {
				first, size := Shard{k, n}.Seeds(5, count)
				if first != next {
					t.Fatalf("%d seeds in %d shards: shard %d starts at %d, want %d", count, n, k, first, next)
				}
				next += uint64(size)
				lo, hi = min(lo, size), max(hi, size)
			}
			if next != 5+uint64(count) || hi-lo > 1 {
				t.Errorf("%d seeds in %d shards end at %d (want %d), sizes %d..%d", count, n, next, 5+count, lo, hi)
			}
		}
	}
}

// explored runs the seeds of one shard as `presencesim explore --shard`
// does and passes its summary through JSON, as shards on other machines
// would.
func explored(t *testing.T, sh Shard, from uint64, count int, cfg Config) Summary {
	t.Helper()
	first, n := sh.Seeds(from, count)
	cov := NewCoverage()
	v, err := Range(first, n, cfg, cov, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Summarise(first, n, cfg, cov, v))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadSummary(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reading back a shard's summary: %v\n%s", err, b)
	}
	return s
}

// Eight shards merged are one run over all their seeds: without a
// violation, and with a planted fault found in an early shard (a single
// run stops there, so the shards after it do not count).
func TestMergedShardsEqualOneRun(t *testing.T) {
	for _, c := range []struct {
		name  string
		count int
		cfg   Config
	}{
		{"no violation", 80, Config{Actions: 60}},
		{"a planted violation", 16, Config{Actions: 60, Fault: "cloudlink-no-away-session"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			whole := explored(t, Shard{1, 1}, 1, c.count, c.cfg)
			var parts []Summary
			for k := 8; k >= 1; k-- { // any order
				parts = append(parts, explored(t, Shard{k, 8}, 1, c.count, c.cfg))
			}
			merged, ignored, err := Merge(parts)
			if err != nil {
				t.Fatal(err)
			}
			// the shards after the one holding the violation do not count
			want := 0
			if v := whole.Violation; v != nil {
				for k := 1; k <= 8; k++ {
					if first, n := (Shard{k, 8}).Seeds(1, c.count); v.Seed >= first+uint64(n) {
						continue
					}
					want = 8 - k
					break
				}
			}
			if c.cfg.Fault != "" && want == 0 {
				t.Fatalf("the planted violation at seed %d fell in the last shard: the case shows no ignored shard", whole.Violation.Seed)
			}
			if !reflect.DeepEqual(merged, whole) || ignored != want {
				mj, _ := json.MarshalIndent(merged, "", " ")
				wj, _ := json.MarshalIndent(whole, "", " ")
				t.Fatalf("merged (%d shards ignored, want %d):\n%s\none run:\n%s", ignored, want, mj, wj)
			}
			if (whole.Violation != nil) != (c.cfg.Fault != "") || whole.Coverage.Runs == 0 {
				t.Fatalf("the run found %+v with %d runs", whole.Violation, whole.Coverage.Runs)
			}
		})
	}
}

func TestMergeRefusesShardsThatDoNotJoin(t *testing.T) {
	cfg := Config{Actions: 20}
	a := explored(t, Shard{1, 3}, 1, 9, cfg)
	b := explored(t, Shard{2, 3}, 1, 9, cfg)
	c := explored(t, Shard{3, 3}, 1, 9, cfg)
	other := explored(t, Shard{2, 3}, 1, 9, Config{Actions: 30})
	for _, tc := range []struct {
		name  string
		parts []Summary
		err   string
	}{
		{"none", nil, "nothing to merge"},
		{"a gap", []Summary{a, c}, "leave out or repeat seeds"},
		{"a repeat", []Summary{a, b, b, c}, "leave out or repeat seeds"},
		{"other actions", []Summary{a, other, c}, "ran with 30 actions"},
	} {
		if _, _, err := Merge(tc.parts); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.err)
		}
	}
	if _, _, err := Merge([]Summary{c, a, b}); err != nil {
		t.Errorf("three joining shards in any order: %v", err)
	}
}

func TestReadSummaryRefusesWhatIsNotOne(t *testing.T) {
	good, _ := json.Marshal(explored(t, Shard{1, 1}, 1, 3, Config{Actions: 10}))
	for _, c := range []struct{ name, body, err string }{
		{"not JSON", "{", "not an exploration summary"},
		{"another document", `{"tenants":[]}`, "not an exploration summary"},
		{"no coverage", `{"from":1,"seeds":3,"reached":3}`, "no coverage"},
		{"reached more than it has", strings.Replace(string(good), `"reached":3`, `"reached":4`, 1), "inconsistent"},
		{"stopped early without a violation", strings.Replace(string(good), `"reached":3`, `"reached":2`, 1), "inconsistent"},
		{"too large", `{"from":1,"plant":"` + strings.Repeat("x", MaxSummaryBytes) + `"}`, "not an exploration summary"},
	} {
		if _, err := ReadSummary(strings.NewReader(c.body)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.err)
		}
	}
	if _, err := ReadSummary(bytes.NewReader(good)); err != nil {
		t.Errorf("a good summary: %v", err)
	}
}
