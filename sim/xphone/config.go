package xphone

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ErrConfig marks a configuration the XPhone server refuses.
var ErrConfig = errors.New("invalid XPhone configuration")

// Mode is the sync setting of a site or configuration group (XP-1, XP-9).
type Mode uint8

// The three options of "Präsenzmanagement".
const (
	SyncTelephonyAndPresence Mode = iota // Abgleich von Telefonie- und Präsenzstatus
	SyncTelephonyOnly                    // Abgleich des Telefoniestatus
	SyncNone                             // Kein Abgleich
	numModes
)

// modeTable is XP-1/XP-9 as data: what each mode syncs, with the seed's
// words and the English ones the step language also accepts.
var modeTable = [numModes]struct {
	German, English string
	Telephony, DND  bool
	Rule            string
}{
	SyncTelephonyAndPresence: {"Abgleich von Telefonie- und Präsenzstatus", "telephony and presence", true, true, "XP-1"},
	SyncTelephonyOnly:        {"Abgleich des Telefoniestatus", "telephony only", true, false, "XP-9"},
	SyncNone:                 {"Kein Abgleich", "none", false, false, "XP-9"},
}

func (m Mode) String() string {
	if m < numModes {
		return modeTable[m].English
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Telephony reports whether the mode syncs the call state.
func (m Mode) Telephony() bool { return m < numModes && modeTable[m].Telephony }

// DND reports whether the mode syncs Do-not-disturb.
func (m Mode) DND() bool { return m < numModes && modeTable[m].DND }

// Rule names the rule that states what the mode syncs.
func (m Mode) Rule() string { return modeTable[m].Rule }

// ParseMode reads a sync mode in the seed's German or in English.
func ParseMode(s string) (Mode, error) {
	key := fold(s)
	var valid []string
	for i, row := range modeTable {
		if key == fold(row.German) || key == fold(row.English) {
			return Mode(i), nil
		}
		valid = append(valid, fmt.Sprintf("%q (%s)", row.English, row.German))
	}
	return 0, fmt.Errorf("%w: unknown sync mode %q; valid: %s", ErrConfig, s, strings.Join(valid, ", "))
}

// DefaultWhitelist are the process names microphone sync knows without
// configuration (XP-12).
var DefaultWhitelist = []string{"chrome", "firefox", "iexplore", "msedge", "g2mcomm", "TeamViewerMeeting", "Zoom"}

// Config is the XPhone configuration of a site or configuration group, as
// the administrator sets it on the server.
type Config struct {
	Mode          Mode
	UserMayChange bool // "Benutzer darf ändern" (XP-1)

	// CentralTeamsProfile: the administrator has activated the central
	// profile template "MS Teams" (XP-7); Forwarding is its call forwarding.
	CentralTeamsProfile bool
	CentralForwarding   string

	MicSync   bool     // MicrophoneUsageSync.Enable (XP-12)
	Whitelist []string // MicrophoneUsageSync.ProcessWhitelist, beyond the defaults
	// CentralMicSyncProfile: the administrator has added and activated the
	// central profile template "MicSync" (Präsenzstatus Beschäftigt), which
	// microphone sync switches to; without it microphone use changes
	// nothing (XP-12). A new site has none.
	CentralMicSyncProfile bool

	RememberCredentials bool // "Anmeldedaten merken" (XP-11)
	ADFS                bool // the directory signs in through ADFS
}

// DefaultConfig syncs telephony and presence and lets the user change it.
func DefaultConfig() Config {
	return Config{Mode: SyncTelephonyAndPresence, UserMayChange: true}
}

// Validate refuses combinations the server does not offer (XP-11).
func (c Config) Validate() error {
	if c.Mode >= numModes {
		return fmt.Errorf("%w: unknown sync mode %d", ErrConfig, c.Mode)
	}
	if c.RememberCredentials && c.ADFS {
		return fmt.Errorf("%w: \"Anmeldedaten merken\" (remember credentials) is not available with ADFS (XP-11); turn one of them off", ErrConfig)
	}
	for _, p := range c.Whitelist {
		if err := checkProcessName(p); err != nil {
			return err
		}
	}
	return nil
}

// configKeys are the settings Set understands, in the server's words.
var configKeys = []struct {
	Key  string
	Help string
	set  func(c *Config, v string) error
}{
	{"Präsenzabgleich", "sync mode: none, telephony only, telephony and presence (or the German option)", func(c *Config, v string) (err error) {
		c.Mode, err = ParseMode(v)
		return err
	}},
	{"Benutzer darf ändern", "yes or no", yesNo(func(c *Config) *bool { return &c.UserMayChange })},
	{"Zentrale Profilvorlage MS Teams", "yes or no", yesNo(func(c *Config) *bool { return &c.CentralTeamsProfile })},
	{"Rufumleitung MS Teams", "call forwarding of the central MS Teams profile, e.g. Voicemail", func(c *Config, v string) error {
		c.CentralForwarding = strings.TrimSpace(v)
		return nil
	}},
	{"Zentrale Profilvorlage MicSync", "yes or no: the central profile template MicSync (Beschäftigt) is added and active", yesNo(func(c *Config) *bool { return &c.CentralMicSyncProfile })},
	{"MicrophoneUsageSync.Enable", "1 = on, 0 = off", func(c *Config, v string) error {
		switch strings.TrimSpace(v) {
		case "1":
			c.MicSync = true
		case "0":
			c.MicSync = false
		default:
			return fmt.Errorf("%w: MicrophoneUsageSync.Enable is %q; valid: 1 (on) or 0 (off)", ErrConfig, v)
		}
		return nil
	}},
	{"MicrophoneUsageSync.ProcessWhitelist", "comma-separated process names", func(c *Config, v string) (err error) {
		c.Whitelist, err = ParseWhitelist(v)
		return err
	}},
	{"Anmeldedaten merken", "yes or no", yesNo(func(c *Config) *bool { return &c.RememberCredentials })},
	{"ADFS", "yes or no", yesNo(func(c *Config) *bool { return &c.ADFS })},
}

// yesNo sets the yes-or-no setting field points at.
func yesNo(field func(*Config) *bool) func(c *Config, v string) error {
	return func(c *Config, v string) (err error) {
		*field(c), err = parseBool(v)
		return err
	}
}

// ConfigKeys lists the settings Set understands.
func ConfigKeys() []string {
	out := make([]string, len(configKeys))
	for i, k := range configKeys {
		out[i] = k.Key
	}
	return out
}

// Set applies one setting and validates the result; on error c is unchanged.
func (c *Config) Set(key, value string) error {
	for _, k := range configKeys {
		if fold(k.Key) != fold(key) {
			continue
		}
		next := *c
		next.Whitelist = append([]string(nil), c.Whitelist...)
		if err := k.set(&next, value); err != nil {
			return err
		}
		if err := next.Validate(); err != nil {
			return err
		}
		*c = next
		return nil
	}
	return fmt.Errorf("%w: unknown setting %q; valid: %s", ErrConfig, key, strings.Join(ConfigKeys(), ", "))
}

func parseBool(v string) (bool, error) {
	switch fold(v) {
	case "yes", "ja", "1", "true", "on":
		return true, nil
	case "no", "nein", "0", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not a yes/no value; valid: yes, no (ja, nein, 1, 0)", ErrConfig, v)
}

// ParseWhitelist reads MicrophoneUsageSync.ProcessWhitelist: process names
// separated by commas, extending DefaultWhitelist (XP-12). Spaces around a
// name are ignored; an empty name (",,", a trailing comma) is refused, as is
// a name with characters no process name has. Duplicates collapse, compared
// without case. An empty value configures no extra names.
func ParseWhitelist(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for i, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			return nil, fmt.Errorf("%w: MicrophoneUsageSync.ProcessWhitelist %q: empty process name at position %d; separate names with single commas, e.g. \"Slack,Discord\"", ErrConfig, s, i+1)
		}
		if err := checkProcessName(name); err != nil {
			return nil, err
		}
		if k := processKey(name); !seen[k] {
			seen[k] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// checkProcessName accepts what Windows process names in the seed's list
// contain: letters, digits, spaces, '.', '-' and '_'.
func checkProcessName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: empty process name", ErrConfig)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != '.' && r != '-' && r != '_' {
			return fmt.Errorf("%w: process name %q contains %q; use letters, digits, spaces, '.', '-' or '_'", ErrConfig, name, r)
		}
	}
	return nil
}

// processKey compares process names as Windows does: without case, with or
// without ".exe".
func processKey(name string) string {
	k := strings.ToLower(strings.TrimSpace(name))
	return strings.TrimSuffix(k, ".exe")
}

// MicSyncOff says why microphone use switches to no profile, "" when
// microphone sync is on and its profile template active (XP-12).
func (c Config) MicSyncOff() string {
	switch {
	case !c.MicSync:
		return "microphone sync is off (MicrophoneUsageSync.Enable is not 1)"
	case !c.CentralMicSyncProfile:
		return "the central profile template \"MicSync\" is not active: the administrator must add and activate it (Präsenzstatus Beschäftigt) under Präsenzmanagement"
	}
	return ""
}

// Whitelisted reports whether microphone use by the process switches to the
// MicSync profile: the defaults plus the configured names.
func (c Config) Whitelisted(process string) bool {
	k := processKey(process)
	for _, lists := range [][]string{DefaultWhitelist, c.Whitelist} {
		for _, n := range lists {
			if processKey(n) == k {
				return true
			}
		}
	}
	return false
}

// EffectiveWhitelist lists the defaults and the configured names, sorted.
func (c Config) EffectiveWhitelist() []string {
	out := append(append([]string(nil), DefaultWhitelist...), c.Whitelist...)
	sort.Slice(out, func(i, j int) bool { return processKey(out[i]) < processKey(out[j]) })
	return out
}

func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}
