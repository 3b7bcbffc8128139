Feature: XPhone Connect: reading Teams without change notifications
  XPhone reads Teams presence from change notifications; when they stop it
  polls every minute (a setting) and still follows Teams. When notifications
  come back it reads once and is current again (C-7).

  Background:
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice uses XPhone Connect

  @XP-4 @XP-8 @C-7
  Scenario: Without notifications XPhone follows a Teams call at its next poll
    When XPhone stops receiving change notifications for alice
    And alice and bob are in a Teams call
    Then alice's XPhone client shows Verfügbar
    When 1 minute passes
    Then alice's XPhone client shows Am Telefon (MS Teams)
    When the call ends
    And 1 minute passes
    Then alice's XPhone appointment list is empty

  @XP-6 @C-7
  Scenario: When notifications resume XPhone reads at once
    When XPhone stops receiving change notifications for alice
    And alice sets her status to Do not disturb
    And XPhone resumes receiving change notifications for alice
    Then alice's XPhone client shows Nicht stören

  @XP-6 @C-7
  Scenario: The poll interval is a setting
    Given the XPhone poll interval is 5 minutes
    When XPhone stops receiving change notifications for alice
    And alice sets her status to Do not disturb
    And 4 minutes pass
    Then alice's XPhone client shows Verfügbar
    When 1 minute passes
    Then alice's XPhone client shows Nicht stören
