Feature: XPhone Connect: the appointment of a Teams call
  Der Abgleich des Präsenzstatus von MS Teams zu XPhone Connect stellt einen
  Termin in die Terminliste. Im Standard wird dazu das Profil Termin verwendet;
  existiert ein Profil mit dem Namen "MS Teams", wird es mit seinen
  Einstellungen (z.B. Rufumleitung) verwendet. Wird das Gespräch beendet, wird
  der Termin gelöscht; verliert der Client während des Gesprächs die
  Verbindung zum Server, beim nächsten Client-Start, spätestens nach 12
  Stunden (seed 001, XP-7, XP-8). Afterwards XPhone shows the profile it had
  before (XP-14).

  Background:
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice uses XPhone Connect

  @XP-7 @XP-8
  Scenario: A Teams call puts an appointment with profile "Termin" in the list until the call ends
    When alice and bob are in a Teams call
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"
    And alice's XPhone client shows Am Telefon (MS Teams)
    When the call ends
    Then alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar

  @XP-4 @XP-7
  Scenario: A Teams conference call is a call for XPhone as well
    Given the users carol
    And carol is signed in to Teams on mobile
    When alice, bob and carol are in a Teams conference call
    Then alice's presence is Busy/InAConferenceCall
    And alice's XPhone client shows Am Telefon (MS Teams)

  @XP-7
  Scenario: A Teams meeting is mirrored by default; a setting turns meeting sync off
    When alice joins a Teams meeting
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"
    When alice leaves the Teams meeting
    Then alice's XPhone appointment list is empty
    When XPhone does not treat Teams meetings as calls
    And alice joins a Teams meeting
    Then alice's presence is In einer Besprechung
    And alice's XPhone client shows Verfügbar
    And alice's XPhone appointment list is empty
    When alice leaves the Teams meeting
    And XPhone treats Teams meetings as calls
    And alice joins a Teams meeting
    Then alice's XPhone client shows Am Telefon (MS Teams)

  @XP-7
  Scenario: A profile "MS Teams" is used with its call forwarding
    Given alice has the XPhone profiles:
      | Profil       | Präsenzstatus | Rufumleitung |
      | Verfügbar    | Verfügbar     | -            |
      | Nicht stören | Nicht stören  | -            |
      | Termin       | Beschäftigt   | -            |
      | MS Teams     | Beschäftigt   | Voicemail    |
    When alice and bob are in a Teams call
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "MS Teams"
    And alice's XPhone call forwarding goes to Voicemail
    When the call ends
    Then alice's XPhone call forwarding is off

  @XP-7
  Scenario: Without a profile "MS Teams" the appointment takes "Termin" and its settings
    Given alice has the XPhone profiles:
      | Profil    | Präsenzstatus | Rufumleitung |
      | Verfügbar | Verfügbar     | -            |
      | Termin    | Beschäftigt   | Sekretariat  |
    When alice and bob are in a Teams call
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"
    And alice's XPhone call forwarding goes to Sekretariat
    And alice's XPhone client shows Am Telefon (MS Teams)

  @XP-7
  Scenario: The administrator's central profile template "MS Teams"
    Given the XPhone administrator sets "Zentrale Profilvorlage MS Teams" to "ja"
    And the XPhone administrator sets "Rufumleitung MS Teams" to "Voicemail"
    When alice and bob are in a Teams call
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "MS Teams"
    And alice's XPhone call forwarding goes to Voicemail

  @XP-14
  Scenario: After the Teams call XPhone returns to the profile it had before
    Given alice selects the XPhone profile "Beschäftigt"
    When alice and bob are in a Teams call
    Then alice's XPhone client shows Am Telefon (MS Teams)
    When the call ends
    Then alice's XPhone client shows Beschäftigt
    And XPhone has written 0 times to Teams for alice

  @XP-8
  Scenario: Connection lost during the call, the client restarts 2 hours later
    When alice and bob are in a Teams call
    And alice's XPhone client loses its connection to the XPhone server
    And 20 minutes pass
    And the call ends
    Then alice's presence is Available
    And alice's XPhone client shows Am Telefon (MS Teams)
    When it is 11:00
    And alice's XPhone client reconnects to the XPhone server
    Then alice's XPhone client shows Am Telefon (MS Teams)
    When alice quits the XPhone client
    And alice starts the XPhone client
    Then alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar

  @XP-8
  Scenario: Connection lost during the call and no restart: the appointment goes 12 hours after it was made
    When alice and bob are in a Teams call
    And alice's XPhone client loses its connection to the XPhone server
    And 20 minutes pass
    And the call ends
    And it is 20:59
    Then alice's XPhone client shows Am Telefon (MS Teams)
    When it is 21:00
    Then alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar

  @XP-8
  Scenario: A Teams call that starts while the server is unreachable leaves no appointment
    Given alice's XPhone client loses its connection to the XPhone server
    When alice and bob are in a Teams call
    Then alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar
