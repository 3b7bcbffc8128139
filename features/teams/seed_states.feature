Feature: The state tables of seeds 000 and 003
  Seed 000's table of Teams states (Status, Aktivierbar, Chat, Call; the
  Symbol column holds icons and Bedeutung prose, left out here) and seed
  003's table of user-configured ("Benutzerdefiniert") beside app-configured
  ("Durch die App konfiguriert") states, row by row in the seeds' own words.
  Each row brings alice into the state the row names and checks what Teams
  shows. Seed 000 (2020) lists Offline as set by the system only; it can be
  set by hand as "Appear offline" since (Offline/OffWork, T-MAN-1), a
  different activity from the Offline of the table.

  Background:
    Given the users alice and bob
    And bob is signed in to Teams on mobile
    And dave is a federated user from fabrikam
    And it is 09:00

  @T-STATE-1 @T-MAN-1 @T-REACH-1 @T-UNK-1
  Scenario Outline: Seed 000: <Status>
    Given alice is "<Status>" as seed 000 has it
    Then Teams shows alice as "<Status>"
    And alice's "<Status>" is set by "<Aktivierbar>"
    And a chat to alice is "<Chat>" and a call "<Call>"

    Examples:
      | Status       | Aktivierbar      | Chat  | Call |
      | Unknown      | System           |       |      |
      | Offline      | System           | Still | CVM  |
      | Available    | System/Manuell   | Ja    | Ja   |
      | Away         | System/Manuell   | Ja    | Ja   |
      | Busy         | Kalender/Manuell | Ja    | Ja   |
      | doNotDisturb | System/Manuell   | Still | CVM  |
      | Idle         | System/Manuell   | Ja    | Ja   |
      | onThePhone   | System           | Ja    | Ja   |
      | beRightBack  | Manuell          | Ja    | Ja   |
      | presenting   | System           |       |      |
      | inAMeeting   |                  |       |      |

  @T-STATE-1 @T-MAN-1
  Scenario: Offline, set by the system only in seed 000, is set by hand as Appear offline
    Given alice is signed in to Teams on desktop
    When alice sets her status to Appear offline
    Then alice's presence is Offline/OffWork
    And bob sees alice as Offline erscheinen

  @T-STATE-2 @T-FED-1 @T-OOF-1 @T-ACT-4 @T-CAL-2
  Scenario Outline: Seed 003: <Benutzerdefiniert> – <Durch die App konfiguriert>
    Given alice is "<Durch die App konfiguriert>" under "<Benutzerdefiniert>" as seed 003 has it
    Then Teams shows alice as "<Durch die App konfiguriert>" under "<Benutzerdefiniert>"

    Examples:
      | Benutzerdefiniert  | Durch die App konfiguriert      |
      | Verfügbar          | Verfügbar                       |
      | Verfügbar          | Verfügbar, ausser Haus.         |
      | Beschäftigt        | Beschäftigt                     |
      | Beschäftigt        | In einem Anruf                  |
      | Beschäftigt        | In einer Besprechung            |
      | Beschäftigt        | Bei einem Anruf, ausser Haus    |
      | Nicht stören       | Präsentieren                    |
      | Nicht stören       | Konzentration.                  |
      | Weg                | Weg                             |
      | Weg                | Zeitpunkt für «Zuletzt gesehen» |
      | Bin gleich zurück  |                                 |
      | Offline erscheinen | Offline.                        |
      |                    | Status unbekannt                |
      |                    | Abwesenheit.                    |

  @T-STATE-2 @T-OOF-1
  Scenario: Seed 003's double presence «Ausser Haus, verfügbar» while automatic replies are on
    Given alice is signed in to Teams on desktop
    When alice turns automatic replies on
    Then alice's presence is Ausser Haus, verfügbar
    And bob sees alice as Verfügbar, ausser Haus
    And alice is shown as out of office
