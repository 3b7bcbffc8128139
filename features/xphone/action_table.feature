@XP-4 @XP-5
Feature: XPhone Connect: what Teams and XPhone show for Teams calls, video calls and screen sharing
  Wenn Sie via Microsoft Teams ein Gespräch führen, einen Videoanruf durchführen
  oder den Bildschirm teilen, wird der Präsenzstatus im XPhone Connect Client
  wie folgt geändert (seed 001). A starts the action with B; the XPhone client
  reads Teams presence and shows a Teams call as the appointment "Am Telefon
  (MS Teams)", and Teams' Do-not-disturb (which screen sharing sets) as the
  first Do-not-disturb profile.

  Background:
    Given the users A and B
    And A is signed in to Teams on mobile
    And B is signed in to Teams on mobile
    And A and B use XPhone Connect

  Scenario Outline: The seed's action table, row by row
    When the Teams action "<Aktion>" takes place between A and B
    Then A's presence is <MS Teams Benutzer A>
    And A's XPhone client shows <XPhone Client A>
    And B's presence is <MS Teams Benutzer B>
    And B's XPhone client shows <XPhone Client B>

    Examples:
      | Aktion                               | MS Teams Benutzer A | XPhone Client A       | MS Teams Benutzer B | XPhone Client B       |
      | MS Teams Call A -> B                 | Am Telefon          | Am Telefon (MS Teams) | Am Telefon          | Am Telefon (MS Teams) |
      | MS Teams Videocall A -> B            | Am Telefon          | Am Telefon (MS Teams) | Am Telefon          | Am Telefon (MS Teams) |
      | Nur Screensharing                    | Präsentation        | Nicht stören          | Am Telefon          | Am Telefon (MS Teams) |
      | MS Teams Videocall mit Screensharing | Präsentation        | Nicht stören          | Am Telefon          | Am Telefon (MS Teams) |

  @XP-6
  Scenario: Screen sharing selects the first Do-not-disturb profile of "Meine Profile"
    Given A has the XPhone profiles:
      | Profil          | Präsenzstatus | Rufumleitung |
      | Verfügbar       | Verfügbar     | -            |
      | Konzentriert    | Nicht stören  | Voicemail    |
      | Nicht stören    | Nicht stören  | -            |
    When the Teams action "Nur Screensharing" takes place between A and B
    Then A's XPhone client shows Konzentriert
    And A's XPhone presence is Nicht stören
    And A's XPhone call forwarding goes to Voicemail

  @XP-8 @XP-14
  Scenario: When the call ends, B's appointment goes and B's client returns to its profile
    When the Teams action "MS Teams Videocall A -> B" takes place between A and B
    Then B's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"
    When the call ends
    Then B's XPhone appointment list is empty
    And B's XPhone client shows Verfügbar
    And A's XPhone client shows Verfügbar
