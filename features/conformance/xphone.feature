@connector-xphone
Feature: An XPhone Connect sync judged over the fakes
  A two-way sync like C4B XPhone Connect runs as its own process and talks
  only HTTP: it reads the XPhone server fake (each user's profiles, calls,
  meetings and appointment list) and Teams through Graph, where it
  subscribes to presence as a presence account and polls when
  notifications stop. XPhone's calls and meetings go to Teams as its own
  session, XPhone's Do not disturb as preferred presence; Teams calls and
  meetings come back as appointments, Teams' Do not disturb as the first
  Do-not-disturb profile. The steps drive the XPhone side on the fake and
  Teams in the world; the rules are judged from the wire, the XPhone
  server's journal and the Teams changes. Nothing the connector wrote may
  come back as a change (XP-13, C-9).

  Background:
    Given the users alice and bob
    And the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And the XPhone connector under test is running

  @XP-3 @C-1 @C-3 @C-11
  Scenario: A call in XPhone reaches Teams as the connector's own session and ends with clearPresence
    When alice makes a call with XPhone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    And within 10 seconds, alice's presence is Busy/InACall
    When alice hangs up in XPhone
    Then within 10 seconds, the connector has no session for alice
    And within 10 seconds, alice's presence is Available
    And alice has no appointment in XPhone
    And the connector keeps the rules C-1, C-3, C-4, C-11 and XP-13

  @XP-2 @C-2
  Scenario: An XPhone meeting holds On the phone in Teams for as long as it lasts
    When alice joins a meeting in XPhone
    Then within 10 seconds, alice's presence is Busy/InACall
    And alice's presence stays Busy/InACall while the connector runs for 6 minutes
    And the connector keeps the rules C-2 and XP-13

  @XP-4 @XP-7 @XP-8 @XP-13
  Scenario: A Teams call appears as an appointment with the profile Termin and goes when the call ends
    When alice and bob are in a Teams call
    Then within 10 seconds, alice has the appointment "Am Telefon (MS Teams)" with profile "Termin" in XPhone
    When the call ends
    Then within 10 seconds, alice has no appointment in XPhone
    And the connector keeps the rules XP-8, XP-13, C-1 and C-9

  @XP-7 @XP-8
  Scenario: A Teams meeting appears as an appointment with the profile MS Teams where the user has it
    Given alice's profiles in XPhone are:
      | Profil       | Präsenzstatus |
      | Verfügbar    | Available     |
      | MS Teams     | Busy          |
      | Nicht stören | DoNotDisturb  |
    When alice joins a Teams meeting
    Then within 10 seconds, alice has the appointment "Besprechung (MS Teams)" with profile "MS Teams" in XPhone
    When alice leaves the Teams meeting
    Then within 10 seconds, alice has no appointment in XPhone
    And the connector keeps the rules XP-8 and XP-13

  @XP-6 @XP-14 @XP-13
  Scenario: Do not disturb in Teams selects the first Do-not-disturb profile, and the profile before comes back
    Given alice's profiles in XPhone are:
      | Profil       | Präsenzstatus |
      | Verfügbar    | Available     |
      | Konzentriert | DoNotDisturb  |
      | Nicht stören | DoNotDisturb  |
    When alice sets her status to Do not disturb
    Then within 10 seconds, alice's profile in XPhone is "Konzentriert"
    When alice resets her status
    Then within 10 seconds, alice's profile in XPhone is "Verfügbar"
    And the connector keeps the rules XP-6, XP-13 and C-4

  @XP-5 @XP-6
  Scenario: Sharing the screen in Teams shows Do not disturb in XPhone
    When alice starts presenting
    Then within 10 seconds, alice's profile in XPhone is "Nicht stören"
    When alice stops presenting
    Then within 10 seconds, alice's profile in XPhone is "Verfügbar"
    And the connector keeps the rules XP-6 and XP-13

  @XP-10 @C-4 @XP-13
  Scenario: Do not disturb in XPhone goes to Teams as preferred presence and is cleared when it ends
    When alice picks the profile "Nicht stören" in XPhone
    Then within 10 seconds, alice's preferred presence is DoNotDisturb/DoNotDisturb
    And within 10 seconds, alice's presence is DoNotDisturb
    And alice's profile in XPhone stays "Nicht stören" while the connector runs for 3 minutes
    When alice picks the profile "Verfügbar" in XPhone
    Then within 10 seconds, alice has no preferred presence
    And within 10 seconds, alice's presence is Available
    And the connector keeps the rules XP-10, C-4 and XP-13

  # Teams ends a user-configured Do not disturb after 24 h (T-MAN-2), as a
  # reset in Teams ends it at once: the sync follows, back to the profile
  # before, and does not write the Do not disturb again.
  @XP-10 @XP-14 @XP-13
  Scenario: When Teams ends XPhone's Do not disturb, XPhone follows back to the profile before
    When alice picks the profile "Nicht stören" in XPhone
    Then within 10 seconds, alice's preferred presence is DoNotDisturb/DoNotDisturb
    And within 10 seconds, the connector sees alice as DoNotDisturb
    When alice resets her status
    Then within 10 seconds, alice's profile in XPhone is "Verfügbar"
    And alice's presence stays Available while the connector runs for 1 minute
    And the connector keeps the rules XP-10, C-4, C-9 and XP-13

  @C-9 @XP-13
  Scenario: One write per change: the connector does not mirror its own session back
    When alice makes a call with XPhone
    Then within 10 seconds, alice's presence is Busy/InACall
    When the connector keeps running for 1 minute
    Then alice has no appointment in XPhone
    And the connector keeps the rules C-9 and XP-13

  # Microphone sync switches the XPhone client's own profile (XP-12); it
  # is nothing the sync writes to Teams.
  @C-9 @C-4
  Scenario: A process using the microphone in XPhone writes nothing to Teams
    When the process "Zoom" starts using alice's microphone in XPhone
    Then alice's presence stays Available while the connector runs for 1 minute
    And within 10 seconds, the connector has no session for alice
    And alice has no appointment in XPhone
    And the connector keeps the rules C-4, C-9 and XP-13

  @C-6 @C-8
  Scenario: The connector follows Teams through its subscription, never taking an older presence
    Then within 10 seconds, the connector sees alice as Available
    When alice sets her status to Busy
    Then within 10 seconds, the connector sees alice as Busy
    When alice sets her status to Away
    Then within 10 seconds, the connector sees alice as Away
    And the connector keeps the rules C-6 and C-8

  @C-7 @C-8
  Scenario: When notifications stop, the connector polls and still follows Teams
    Then within 10 seconds, the connector sees alice as Available
    And within 10 seconds, the connector has subscribed to presence
    And the connector keeps running for 30 seconds
    When notifications to the connector stop
    And alice sets her status to Do not disturb
    Then within 10 seconds, the connector sees alice as DoNotDisturb
    And within 10 seconds, alice's profile in XPhone is "Nicht stören"
    And the connector keeps the rules C-6, C-7 and C-8

  # 120 s of virtual time is 1 s of real time at the default time scale.
  @C-5
  Scenario: After a 429 the connector waits for Retry-After before its next request
    Given Graph throttles the connector's next 2 requests with Retry-After 120 seconds
    When alice makes a call with XPhone
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-5

  @C-10 @C-5 @C-11
  Scenario: After a Graph outage the connector recovers by itself and writes the true state
    When Graph becomes unavailable to the connector
    And alice makes a call with XPhone
    And the connector keeps running for 2 minutes
    Then alice's presence is Available
    When Graph is available to the connector again
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1, C-5 and C-11

  @C-11 @XP-3
  Scenario: When Graph refuses its token, the connector gets a new one before it tries again
    When alice makes a call with XPhone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    When Graph refuses every token the connector has got so far
    And alice hangs up in XPhone
    Then within 10 seconds, the connector has no session for alice
    And the connector keeps the rules C-1 and C-11
