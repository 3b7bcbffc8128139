Feature: XPhone Connect: Do-not-disturb both ways
  In the mode "Abgleich von Telefonie- und Präsenzstatus" XPhone and Teams sync
  Nicht stören both ways. Teams' Do-not-disturb selects the first profile of
  "Meine Profile" whose presence is Nicht stören (XP-6); XPhone writes its
  Do-not-disturb to Teams as a state the user set, which Teams resets after
  24 hours (XP-10, T-MAN-2). XPhone then follows Teams and returns to the
  profile it had before (XP-14, decided), without writing anything back
  (XP-13).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And alice uses XPhone Connect

  @XP-10 @T-MAN-2 @XP-14 @XP-13
  Scenario: XPhone's Do-not-disturb shows in Teams until Microsoft resets it after 24 hours
    When alice selects the XPhone profile "Nicht stören"
    Then alice's presence is Nicht stören
    And alice's presence was decided by T-AGG-1
    And alice's preferred presence in Teams is DoNotDisturb set through Graph
    And XPhone has written 1 time to Teams for alice
    When 23 hours pass
    Then alice's presence is DoNotDisturb
    And alice's XPhone client shows Nicht stören
    When 1 hour passes
    Then alice's presence is Available
    And alice's XPhone client shows Verfügbar
    And XPhone has written 1 time to Teams for alice

  @XP-10
  Scenario: Leaving Do-not-disturb in XPhone clears it in Teams
    When alice selects the XPhone profile "Nicht stören"
    And alice selects the XPhone profile "Beschäftigt"
    Then alice's presence is Available
    And alice's XPhone client shows Beschäftigt
    And XPhone has written 2 times to Teams for alice

  @XP-10 @XP-14
  Scenario: Resetting the status in Teams ends XPhone's Do-not-disturb too
    Given alice selects the XPhone profile "Abwesend"
    When alice selects the XPhone profile "Nicht stören"
    And alice resets her status
    Then alice's presence is Available
    And alice's XPhone client shows Abwesend
    And XPhone has written 1 time to Teams for alice

  @XP-6 @XP-14 @XP-13
  Scenario: Do-not-disturb set in Teams selects the first DND profile, and XPhone returns when it ends
    Given alice selects the XPhone profile "Abwesend"
    When alice sets her status to Do not disturb
    Then alice's XPhone client shows Nicht stören
    And XPhone has written 0 times to Teams for alice
    When alice resets her status
    Then alice's XPhone client shows Abwesend
    And alice's presence is Available

  @XP-6 @T-MAN-2
  Scenario: Do-not-disturb set by hand in Teams lasts a day in XPhone as well
    When alice sets her status to Do not disturb
    Then alice's XPhone client shows Nicht stören
    When 1 day passes
    Then alice's presence is Available
    And alice's XPhone client shows Verfügbar

  @XP-6
  Scenario: Focus time in the calendar is Do-not-disturb for XPhone as well
    Given alice has a focus time from 10:00 to 11:00
    When it is 10:00
    Then alice's presence is Konzentration
    And alice's XPhone client shows Nicht stören
    When it is 11:00
    Then alice's XPhone client shows Verfügbar

  @XP-13 @XP-3
  Scenario: XPhone reads its own call back without making an appointment of it
    When alice starts an XPhone call
    Then alice's presence is Am Telefon
    And alice's XPhone appointment list is empty
    And alice's XPhone client shows Am Telefon
    And XPhone has written 1 time to Teams for alice

  @XP-13
  Scenario: A Teams Do-not-disturb during an XPhone call is not written back
    Given the users bob
    And bob is signed in to Teams on mobile
    When alice starts an XPhone call
    And alice sets her status to Do not disturb
    Then alice's presence is DoNotDisturb
    And alice's XPhone client shows Am Telefon
    When alice's XPhone call ends
    Then alice's XPhone client shows Nicht stören
    And XPhone has written 2 times to Teams for alice

  @XP-13 @XP-6
  Scenario: XPhone's own Do-not-disturb read back keeps the profile the user chose
    Given alice has the XPhone profiles:
      | Profil       | Präsenzstatus | Rufumleitung |
      | Verfügbar    | Verfügbar     | -            |
      | Nicht stören | Nicht stören  | -            |
      | Konzentriert | Nicht stören  | Voicemail    |
    When alice selects the XPhone profile "Konzentriert"
    Then alice's presence is DoNotDisturb
    And alice's XPhone client shows Konzentriert
    And alice's XPhone call forwarding goes to Voicemail
