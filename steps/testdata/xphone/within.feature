Feature: A bound XPhone does not meet
  The scenario fails on purpose; the test reads the failure text.

  Scenario: XPhone polls every 5 minutes, the step allows 60 seconds
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice uses XPhone Connect
    And the XPhone poll interval is 5 minutes
    And XPhone stops receiving change notifications for alice
    When alice and bob are in a Teams call
    Then within 60 seconds alice's XPhone client shows Am Telefon (MS Teams)
