Feature: XPhone Connect: configuration the server refuses
  Settings are made under Benutzerverwaltung > Standort/Konfigurationsgruppe.
  "Anmeldedaten merken" is not available with ADFS (XP-11); the sync mode is
  one of three options (XP-1); the process whitelist is a comma-separated list
  of process names (XP-12). Anything else is refused with the valid choices.

  @XP-11
  Scenario: Remembering credentials is not available with ADFS
    Given the XPhone administrator sets "ADFS" to "ja"
    When the XPhone administrator tries to set "Anmeldedaten merken" to "ja"
    Then it is refused because not available with ADFS

  @XP-11
  Scenario: Remembering credentials without ADFS
    Given the XPhone administrator sets "Anmeldedaten merken" to "ja"
    When the XPhone administrator tries to set "ADFS" to "ja"
    Then it is refused because not available with ADFS

  @XP-1 @XP-12
  Scenario Outline: Invalid settings are refused with the valid choices
    When the XPhone administrator tries to set "<Einstellung>" to "<Wert>"
    Then it is refused because <Grund>

    Examples:
      | Einstellung                          | Wert               | Grund                             |
      | Präsenzabgleich                      | Abgleich von allem | valid: "telephony and presence"   |
      | Benutzer darf ändern                 | vielleicht         | valid: yes, no                    |
      | MicrophoneUsageSync.ProcessWhitelist | Slack,,Discord     | empty process name at position 2  |
      | MicrophoneUsageSync.ProcessWhitelist | Slack,             | empty process name at position 2  |
      | MicrophoneUsageSync.ProcessWhitelist | Zoom;Slack         | contains ';'                      |
      | MicrophoneUsageSync.Enable           | ja                 | valid: 1 (on) or 0 (off)          |
      | Rufnummer                            | 123                | unknown setting "Rufnummer"       |
