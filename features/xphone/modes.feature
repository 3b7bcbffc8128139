Feature: XPhone Connect: sync modes
  Unter Benutzerverwaltung > Standort/Konfigurationsgruppe > Präsenzmanagement:
  Kein Abgleich; Abgleich von Telefonie- und Präsenzstatus (Nicht stören und
  Telefoniestatus); Abgleich des Telefoniestatus (nur der Telefoniestatus).
  "Benutzer darf ändern" / "Benutzer darf nicht ändern" decides whether the
  user can change it in the client (seed 001, XP-1, XP-9).

  Background:
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile

  @XP-1 @XP-9
  Scenario Outline: What each mode syncs, both ways
    Given the XPhone administrator sets "Präsenzabgleich" to "<Option>"
    And alice uses XPhone Connect
    When alice starts an XPhone call
    Then alice's presence is <Teams bei XPhone-Gespräch>
    When alice's XPhone call ends
    And alice selects the XPhone profile "Nicht stören"
    Then alice's presence is <Teams bei XPhone Nicht stören>
    When alice selects the XPhone profile "Verfügbar"
    And alice and bob are in a Teams call
    Then alice's XPhone client shows <XPhone bei Teams-Gespräch>
    When the call ends
    And alice sets her status to Do not disturb
    Then alice's XPhone client shows <XPhone bei Teams Nicht stören>

    Examples:
      | Option                                    | Teams bei XPhone-Gespräch | Teams bei XPhone Nicht stören | XPhone bei Teams-Gespräch | XPhone bei Teams Nicht stören |
      | Abgleich von Telefonie- und Präsenzstatus | Am Telefon                | Nicht stören                  | Am Telefon (MS Teams)     | Nicht stören                  |
      | Abgleich des Telefoniestatus              | Am Telefon                | Verfügbar                     | Am Telefon (MS Teams)     | Verfügbar                     |
      | Kein Abgleich                             | Verfügbar                 | Verfügbar                     | Verfügbar                 | Verfügbar                     |

  @XP-9
  Scenario: Switching to telephony only withdraws XPhone's Do-not-disturb from Teams
    Given alice uses XPhone Connect
    And alice selects the XPhone profile "Nicht stören"
    And alice's presence is DoNotDisturb
    When the XPhone administrator sets "Präsenzabgleich" to "Abgleich des Telefoniestatus"
    Then alice's presence is Available
    And alice's XPhone client shows Nicht stören

  @XP-9
  Scenario: Switching sync off withdraws XPhone's call from Teams
    Given alice uses XPhone Connect
    And alice starts an XPhone call
    When the XPhone administrator sets "Präsenzabgleich" to "Kein Abgleich"
    Then alice's presence is Available
    And Teams holds no XPhone session for alice
    And alice's XPhone client shows Am Telefon

  @XP-1
  Scenario: The user may change the mode when the administrator allows it
    Given the XPhone administrator sets "Benutzer darf ändern" to "ja"
    And alice uses XPhone Connect
    When alice changes her XPhone sync mode to "Kein Abgleich"
    Then alice's XPhone sync mode is "none"
    When alice starts an XPhone call
    Then alice's presence is Available

  @XP-1
  Scenario: The user may not change the mode when the administrator forbids it
    Given the XPhone administrator sets "Benutzer darf ändern" to "nein"
    And alice uses XPhone Connect
    When alice tries to change her XPhone sync mode to "Kein Abgleich"
    Then it is refused because Benutzer darf nicht ändern
    And alice's XPhone sync mode is "telephony and presence"
    When alice starts an XPhone call
    Then alice's presence is Am Telefon

  @XP-1
  Scenario: When the administrator takes the choice away, the site's mode applies again
    Given alice uses XPhone Connect
    And alice changes her XPhone sync mode to "Kein Abgleich"
    When the XPhone administrator sets "Benutzer darf ändern" to "nein"
    Then alice's XPhone sync mode is "telephony and presence"
    When alice starts an XPhone call
    Then alice's presence is Am Telefon

  @XP-9 @XP-13
  Scenario: Switching sync off during an XPhone call in Nicht stören withdraws both, once each
    Given alice uses XPhone Connect
    And alice selects the XPhone profile "Nicht stören"
    And alice starts an XPhone call
    When the XPhone administrator sets "Präsenzabgleich" to "Kein Abgleich"
    Then alice's presence is Available
    And Teams holds no XPhone session for alice
    And XPhone has written 4 times to Teams for alice
